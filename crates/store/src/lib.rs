//! jixiao-store
