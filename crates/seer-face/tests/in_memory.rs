//! Identification through the library API with nothing on disk but the
//! photos read first: enrol from bytes into an in-memory gallery, then
//! identify probes from bytes (what a server does with uploads).

mod common;

use common::*;
use seer_core::{CancelToken, NoProgress};
use seer_face::workflow::{
    enrol_into, identify_image, EnrolOptions, EnrolSource, IdentifiedFace, IdentifyOptions,
    IdentifyResult,
};
use seer_face::{Gallery, GalleryKey, GalleryLocation, ImageInput};

fn bytes(relative: &str) -> Vec<u8> {
    std::fs::read(faces_dir().join(relative)).unwrap()
}

#[test]
fn photos_in_memory_are_enrolled_and_identified_without_files() {
    let (mut detector, mut embedder) = (detector(), embedder());
    let mut gallery =
        Gallery::open(&GalleryLocation::Memory, GalleryKey::random().unwrap()).unwrap();
    let (cancel, progress) = (CancelToken::new(), NoProgress);
    for (subject, files) in [
        ("obama", ["gallery/obama/1.jpg", "gallery/obama/2.jpg"]),
        ("biden", ["gallery/biden/1.jpg", "gallery/biden/2.jpg"]),
    ] {
        let photos: Vec<Vec<u8>> = files.iter().map(|f| bytes(f)).collect();
        let sources: Vec<EnrolSource> = photos
            .iter()
            .map(|p| EnrolSource::Image(ImageInput::Bytes(p)))
            .collect();
        let options = EnrolOptions {
            subject: subject.to_string(),
            largest: false,
            keep_images: true,
        };
        let done = enrol_into(
            &mut detector,
            &mut embedder,
            &mut gallery,
            &sources,
            &options,
            "test",
            &progress,
            &cancel,
        )
        .unwrap();
        assert_eq!((done.added, done.descriptors), (2, 2), "{done:?}");
    }
    // The kept photos are the bytes given.
    assert_eq!(
        gallery.photos("obama").unwrap()[0],
        bytes("gallery/obama/1.jpg")
    );

    let mut identify = |gallery: &mut Gallery, probe: &str| {
        let photo = bytes(probe);
        identify_image(
            &mut detector,
            &mut embedder,
            gallery,
            &ImageInput::Bytes(&photo),
            &IdentifyOptions::default(),
            "test",
        )
        .unwrap()
    };
    // The probe's person is its best-scored face (a photo may also hold
    // weak background detections).
    let best = |result: &IdentifyResult| -> IdentifiedFace {
        result
            .faces
            .iter()
            .max_by(|a, b| a.face.score.total_cmp(&b.face.score))
            .cloned()
            .unwrap()
    };
    let obama = identify(&mut gallery, "probes/obama1.jpg");
    assert_eq!(obama.image, "<image in memory>");
    let face = best(&obama);
    assert_eq!(face.subject, "obama", "{obama:?}");
    // Measured: 0.426.
    assert!(face.distance.unwrap() < 0.5, "{obama:?}");

    // Alex Lacamoire is not enrolled: unknown, nearest subject beyond the threshold.
    let alex = identify(&mut gallery, "probes/alex_lacamoire1.jpg");
    let face = best(&alex);
    assert_eq!(face.subject, "unknown", "{alex:?}");
    assert!(face.distance.unwrap() >= 0.6, "{alex:?}");
    assert!(
        alex.faces.iter().all(|f| f.subject == "unknown"),
        "{alex:?}"
    );

    // Both requests are in the audit trail, naming whom they named.
    let identified: Vec<String> = gallery
        .audit()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "identify")
        .map(|e| e.subject)
        .collect();
    assert_eq!(identified, ["obama", ""]);
}
