//! `seer demo` end to end: the readable summary, the offline page and the
//! measured figures behind them.

mod common;

use common::{ok, seer};

#[test]
fn demo_writes_an_offline_page_and_measures_each_capability() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let text = ok(&seer().arg("demo").arg("--out").arg(&out).output().unwrap());
    // A few readable lines, not a JSON dump.
    assert!(text.lines().count() <= 10, "{text}");
    assert!(text.contains("index.html"), "{text}");

    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert_eq!(page.matches("<h2>").count(), 5, "one section per demo part");
    assert!(page.matches("src=\"data:image/").count() >= 9);
    assert!(!page.contains("http://") && !page.contains("https://"));

    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let up = &summary["upscale"];
    assert_eq!(up["output_size"], serde_json::json!([256, 256]));
    let (sr, bicubic) = (
        up["psnr_y_db"].as_f64().unwrap(),
        up["bicubic_psnr_y_db"].as_f64().unwrap(),
    );
    assert!(
        sr > bicubic + 4.0,
        "x4: {sr:.2} dB vs bicubic {bicubic:.2} dB"
    );
    assert_eq!(
        summary["faces"]["faces"], 3,
        "the face-api sample has 3 people"
    );
    let id = &summary["identify"];
    assert!(id["same_person_distance"].as_f64().unwrap() < 0.6);
    assert!(id["different_people_distance"].as_f64().unwrap() > 0.6);
    let named: Vec<String> = id["named"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().split(' ').next().unwrap().to_string())
        .filter(|n| n != "unknown")
        .collect();
    assert_eq!(named, ["biden", "obama"], "left to right");
    assert_eq!(summary["objects"]["counts"]["person"], 4);
    let drive = &summary["drive"];
    assert!(drive["road_users"].as_u64().unwrap() >= 6, "{drive}");
    let nearest = drive["nearest"][1].as_f64().unwrap();
    assert!((10.0..40.0).contains(&nearest), "{drive}");
}
