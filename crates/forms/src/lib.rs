//! jixiao-forms
