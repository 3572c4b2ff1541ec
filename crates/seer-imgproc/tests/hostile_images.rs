//! Hostile images are refused with a clear error before any large
//! allocation: headers claiming huge sizes (checked against the budget
//! from the header alone), truncated files, animations, non-files; and a
//! bounded fuzz run of the decoder behind the budget check.

use proptest::prelude::*;
use seer_imgproc::{
    decode_image, decode_image_checked, read_image, read_image_checked, ImageError, ImageHeader,
    DEFAULT_MAX_DECODED_BYTES,
};
use seer_testdata::hostile;

#[test]
fn a_header_claiming_ten_billion_pixels_is_refused_before_decoding() {
    let bytes = hostile::png_claiming(100_000, 100_000);
    assert!(bytes.len() < 200);
    for budget in [None, Some(4 << 30), Some(u64::MAX)] {
        match decode_image(&bytes, budget) {
            Err(ImageError::OverBudget {
                width,
                height,
                bytes: needed,
                budget: used,
                ..
            }) => {
                assert_eq!((width, height), (100_000, 100_000));
                assert_eq!(needed, 30_000_000_000);
                // A budget above the machine is capped at the machine.
                assert!(used <= DEFAULT_MAX_DECODED_BYTES.max(budget.unwrap_or(0)));
                assert!(used < 30_000_000_000 || budget.is_none());
            }
            other => panic!("budget {budget:?}: {:?}", other.map(|d| d.image.width())),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.png");
    std::fs::write(&path, &bytes).unwrap();
    let err = read_image(&path, None).err().unwrap();
    let text = err.to_string();
    assert!(
        text.contains("100000x100000") && text.contains("memory budget"),
        "{text}"
    );
}

/// What a caller's header check refuses with.
#[derive(Debug)]
enum CallerError {
    Image(ImageError),
    Refused(ImageHeader),
}

impl From<ImageError> for CallerError {
    fn from(e: ImageError) -> Self {
        CallerError::Image(e)
    }
}

#[test]
fn a_caller_sees_the_header_and_can_refuse_before_any_pixel_is_decoded() {
    // 20000 x 20000 RGB: 1.2 GB decoded, within the default budget, but the
    // file holds no pixel data: decoding it would fail as corrupt, so a
    // refusal from the check proves it ran before the decode.
    let bytes = hostile::png_claiming(20_000, 20_000);
    let refused = decode_image_checked(&bytes, None, |h| Err(CallerError::Refused(*h)));
    match refused {
        Err(CallerError::Refused(h)) => {
            assert_eq!((h.width, h.height), (20_000, 20_000));
            assert_eq!(h.color, image::ColorType::Rgb8);
            assert_eq!(h.decoded_bytes, 1_200_000_000);
        }
        other => panic!(
            "expected the caller's refusal, got {other:?}",
            other = other.err()
        ),
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.png");
    std::fs::write(&path, &bytes).unwrap();
    let refused = read_image_checked(&path, None, |h| Err(CallerError::Refused(*h)));
    assert!(matches!(refused, Err(CallerError::Refused(_))));
    // A check that accepts leaves the decoder's own verdict.
    let accepted = read_image_checked(&path, None, |_| Ok::<(), CallerError>(()));
    assert!(matches!(
        accepted,
        Err(CallerError::Image(ImageError::Corrupt { .. }))
    ));
    // The budget is checked before the caller is asked.
    let over = decode_image_checked(&bytes, Some(1 << 30), |h| Err(CallerError::Refused(*h)));
    assert!(matches!(
        over,
        Err(CallerError::Image(ImageError::OverBudget { .. }))
    ));
}

#[test]
fn a_budget_larger_than_the_machine_does_not_let_a_huge_image_through() {
    let Some(total) = seer_core::memory::physical_memory() else {
        return;
    };
    // Just above the machine: 8-bit RGB, a square side that needs more.
    let side = ((total / 3) as f64).sqrt() as u32 + 1000;
    let bytes = hostile::png_claiming(side, side);
    match decode_image(&bytes, Some(u64::MAX)) {
        Err(ImageError::OverBudget { budget, .. }) => assert_eq!(budget, total),
        other => panic!("{:?}", other.map(|d| d.image.width())),
    }
}

#[test]
fn a_truncated_jpeg_is_an_error_not_a_grey_half() {
    let whole = hostile::jpeg(320, 240);
    assert_eq!(decode_image(&whole, None).unwrap().image.height(), 240);
    for percent in [50, 90, 99] {
        let cut = hostile::truncated(&whole, percent);
        match decode_image(&cut, None) {
            Err(ImageError::Truncated { bytes, .. }) => assert_eq!(bytes, cut.len() as u64),
            other => panic!("{percent} %: {:?}", other.map(|d| d.image.height())),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("half.jpg");
    std::fs::write(&path, hostile::truncated(&whole, 50)).unwrap();
    let text = read_image(&path, None).err().unwrap().to_string();
    assert!(
        text.contains("truncated") && text.contains("half.jpg"),
        "{text}"
    );
}

#[test]
fn a_truncated_png_is_an_error() {
    let whole = hostile::png(320, 240);
    let cut = hostile::truncated(&whole, 50);
    assert!(matches!(
        decode_image(&cut, None),
        Err(ImageError::Corrupt { .. })
    ));
}

#[test]
fn the_jpegs_shipped_for_tests_read_as_whole() {
    let mut seen = 0;
    for folder in ["faces/gallery", "faces/probes"] {
        for entry in std::fs::read_dir(seer_testdata::path(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jpg" || e == "jpeg") {
                read_image(&path, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                seen += 1;
            }
        }
    }
    assert!(seen >= 5, "{seen} JPEGs");
}

#[test]
fn animations_are_refused_not_cut_to_their_first_frame() {
    for (bytes, format) in [
        (hostile::animated_png(), image::ImageFormat::Png),
        (hostile::animated_webp(), image::ImageFormat::WebP),
    ] {
        match decode_image(&bytes, None) {
            Err(ImageError::Animated { format: f, .. }) => assert_eq!(f, format),
            other => panic!("{format:?}: {:?}", other.map(|d| d.image.width())),
        }
    }
    // The still PNG the APNG was made from reads.
    assert_eq!(
        decode_image(&hostile::png(32, 24), None)
            .unwrap()
            .image
            .width(),
        32
    );
}

#[test]
fn a_folder_or_a_device_is_not_an_image_file() {
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path(), std::path::Path::new("/dev/zero")] {
        match read_image(path, None) {
            Err(ImageError::NotAFile { .. }) => {}
            other => panic!("{}: {:?}", path.display(), other.map(|d| d.image.width())),
        }
    }
}

/// Fuzz cases: 2000, or `SEER_FUZZ_CASES` for a longer run.
fn cases() -> u32 {
    std::env::var("SEER_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// Any bytes, and any damage to a real PNG or JPEG, decode or fail
    /// with an error: no panic, and nothing decoded above the budget.
    #[test]
    fn damaged_images_decode_or_fail_cleanly(
        base in 0usize..3,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..12),
        cut in 1usize..=100,
        random in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut bytes = match base {
            0 => hostile::png(48, 32),
            1 => hostile::jpeg(48, 32),
            _ => random,
        };
        let len = bytes.len();
        for (at, value) in flips {
            if len > 0 {
                bytes[at % len] = value;
            }
        }
        let bytes = hostile::truncated(&bytes, cut);
        let budget = 1 << 20;
        if let Ok(decoded) = decode_image(&bytes, Some(budget)) {
            prop_assert!(decoded.image.as_bytes().len() as u64 <= budget);
        }
    }
}
