//! Which image formats seer reads and writes, decided in one place: by
//! file extension (folder walks, output files) or by content (decoding).

use image::ImageFormat;
use std::path::Path;

/// Image formats seer reads and writes, for messages.
pub const FORMATS: &str = "PNG, JPEG, WebP, TIFF or BMP";

/// The formats seer reads and writes.
pub const SUPPORTED: [ImageFormat; 5] = [
    ImageFormat::Png,
    ImageFormat::Jpeg,
    ImageFormat::WebP,
    ImageFormat::Tiff,
    ImageFormat::Bmp,
];

/// True when seer reads and writes `format`.
pub fn is_supported(format: ImageFormat) -> bool {
    SUPPORTED.contains(&format)
}

/// The supported format a file name's extension names (`.png`, `.jpg`,
/// `.jpeg`, `.webp`, `.tif`, `.tiff`, `.bmp`, any case), if any.
pub fn format_of_path(path: &Path) -> Option<ImageFormat> {
    ImageFormat::from_path(path)
        .ok()
        .filter(|f| is_supported(*f))
}

/// True for files seer can upscale or analyse, judged by extension (the
/// content is checked when the file is read).
pub fn is_image_path(path: &Path) -> bool {
    format_of_path(path).is_some()
}

/// The supported format of an encoded image, from its first bytes.
pub fn format_of_content(head: &[u8]) -> Option<ImageFormat> {
    image::guess_format(head).ok().filter(|f| is_supported(*f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_are_told_by_extension() {
        for name in [
            "a.png", "b.JPG", "c.jpeg", "d.webp", "e.tif", "f.tiff", "g.bmp",
        ] {
            assert!(is_image_path(Path::new(name)), "{name}");
        }
        for name in ["a.gif", "b.txt", "c", "d.mp4"] {
            assert!(!is_image_path(Path::new(name)), "{name}");
        }
        assert_eq!(
            format_of_content(b"\x89PNG\r\n\x1a\n"),
            Some(ImageFormat::Png)
        );
        assert_eq!(format_of_content(b"GIF89a"), None);
    }
}
