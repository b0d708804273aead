//! A package of files as one .zip (the 人大报送材料 of SPEC §12): written and, for tests and
//! checks, read back.

use std::io::{Cursor, Read, Write};

/// Writes the files (name, bytes) into a .zip, compressed, in the order given.
pub fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        w.start_file(name.as_str(), options)
            .map_err(|e| format!("打包失败：{e}"))?;
        w.write_all(bytes).map_err(|e| format!("打包失败：{e}"))?;
    }
    w.finish()
        .map(Cursor::into_inner)
        .map_err(|e| format!("打包失败：{e}"))
}

/// Reads a .zip back into its files (name, bytes), each at most `limit` bytes.
pub fn unzip_files(bytes: &[u8], limit: u64) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("无法读取压缩包：{e}"))?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let file = archive
            .by_index(i)
            .map_err(|e| format!("无法读取压缩包：{e}"))?;
        let name = file
            .name()
            .map_err(|e| format!("无法读取压缩包：{e}"))?
            .to_string();
        let mut body = Vec::new();
        file.take(limit)
            .read_to_end(&mut body)
            .map_err(|e| format!("无法读取压缩包：{e}"))?;
        out.push((name, body));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_back_as_written() {
        let files = vec![
            ("2023年度公开的绩效目标.xlsx".to_string(), b"one".to_vec()),
            ("说明.docx".to_string(), vec![0u8; 10_000]),
        ];
        let zipped = zip_files(&files).expect("zip");
        assert!(zipped.starts_with(b"PK"));
        assert_eq!(unzip_files(&zipped, 1 << 20).expect("unzip"), files);
    }
}
