//! What an uploaded zip holds, to tell openLCA JSON-LD archives from
//! zipped CSV matrix files before reading either.

use std::io::Cursor;

/// The entry names of a zip archive, or None if the bytes are not one.
pub fn zip_names(bytes: &[u8]) -> Option<Vec<String>> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    archive
        .file_names()
        .map(|n| n.ok().map(|n| n.to_string()))
        .collect()
}

/// Whether a zip holds CSV files (matrix triplets) rather than JSON.
pub fn zip_holds_csv(bytes: &[u8]) -> bool {
    zip_names(bytes).is_some_and(|names| {
        names
            .iter()
            .any(|n| n.to_ascii_lowercase().ends_with(".csv"))
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for n in names {
            w.start_file(*n, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(b"x").unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn csv_archives_are_told_from_json_ones() {
        assert!(zip_holds_csv(&zip_of(&["m/technosphere.csv", "m/B.CSV"])));
        assert!(!zip_holds_csv(&zip_of(&["processes/a.json"])));
        assert!(!zip_holds_csv(b"not a zip"));
        assert_eq!(zip_names(b"nope"), None);
    }
}
