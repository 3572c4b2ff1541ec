//! OCR on rendered text: English words and sentences, digits (scores,
//! clocks) and simplified Chinese, 16 to 48 pixels high, drawn with an
//! outline over crops of the repository's real photos and frames, must be
//! read exactly, also tilted by up to 20°; boxes must sit where the text
//! was drawn; a real book
//! cover must be read line by line and photos without text give nothing;
//! bad images must give an error or no lines, never a panic.
//!
//! Fonts are glyph subsets shipped in `testdata/fonts` (DejaVu Sans for
//! Latin, Noto Sans CJK SC for Chinese; see `testdata/README.md`).

mod common;

use ab_glyph::FontRef;
use common::{rasterise, stamp, Ink};
use image::{Rgb, RgbImage};
use seer_scene::{OcrOptions, SceneError, TextLine, TextReader};
use std::time::Instant;

/// What a snippet shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Category {
    English,
    Digits,
    Chinese,
}

/// Every snippet: its category and text.
const SNIPPETS: &[(Category, &str)] = &[
    (Category::English, "Hello World"),
    (Category::English, "EXIT"),
    (Category::English, "Welcome to the city"),
    (Category::English, "Speed limit ahead"),
    (Category::English, "Open daily from nine"),
    (Category::English, "Quick brown fox"),
    (Category::English, "Main Street"),
    (Category::English, "Breaking News"),
    (Category::English, "Please keep left"),
    (Category::English, "Station"),
    (Category::English, "The weather is fine today"),
    (Category::English, "Next stop Central"),
    (Category::Digits, "02:31"),
    (Category::Digits, "2-1"),
    (Category::Digits, "3-0"),
    (Category::Digits, "45:12"),
    (Category::Digits, "2026"),
    (Category::Digits, "1:59:07"),
    (Category::Digits, "98.6"),
    (Category::Digits, "120"),
    (Category::Digits, "07:45"),
    (Category::Digits, "3-2"),
    (Category::Chinese, "你好世界"),
    (Category::Chinese, "欢迎光临"),
    (Category::Chinese, "北京"),
    (Category::Chinese, "上海欢迎你"),
    (Category::Chinese, "出口"),
    (Category::Chinese, "禁止停车"),
    (Category::Chinese, "今天天气很好"),
    (Category::Chinese, "中国人民"),
    (Category::Chinese, "新闻联播"),
    (Category::Chinese, "火车站"),
    (Category::Chinese, "注意安全"),
    (Category::Chinese, "比分"),
];

/// Font sizes in pixels, cycled over the snippets.
const HEIGHTS: &[f32] = &[16.0, 20.0, 24.0, 28.0, 32.0, 40.0, 48.0];

/// Backgrounds, cycled over the snippets.
const BACKGROUNDS: &[&str] = &[
    "drive/test_images/solidWhiteCurve.jpg",
    "sr/Set14/lenna.png",
    "faces/probes/obama1.jpg",
    "drive/test_images/solidYellowLeft.jpg",
    "sr/Set14/baboon.png",
    "faces/probes/two_people.jpg",
    "drive/test_images/whiteCarLaneSwitch.jpg",
    "sr/Set14/pepper.png",
    "faces/probes/kit_with_rose.jpg",
    "sr/Set14/bridge.png",
];

/// Lowest exact-match rate accepted over all snippets. Measured 31/34
/// (0.91; docs/ARCHITECTURE.md, "Scene: OCR"); the floor (29/34) allows
/// two more misses for other ONNX Runtime builds and thread counts,
/// whose arithmetic differs slightly.
const EXACT_FLOOR: f64 = 0.85;

fn reader() -> TextReader {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    TextReader::open(&store, &OcrOptions::default()).unwrap()
}

fn font_bytes(category: Category) -> Vec<u8> {
    let name = match category {
        Category::Chinese => "fonts/NotoSansSC-subset.otf",
        Category::English | Category::Digits => "fonts/DejaVuSans-subset.ttf",
    };
    std::fs::read(seer_testdata::path(name)).unwrap()
}

/// A `width`×`height` crop of a background photo, starting at a place
/// picked by `seed`; the photo is enlarged first if it is too small.
fn background(name: &str, width: u32, height: u32, seed: u32) -> RgbImage {
    let mut photo = seer_imgproc::load_rgb(&seer_testdata::path(name)).unwrap();
    let grow = (f64::from(width) / f64::from(photo.width()))
        .max(f64::from(height) / f64::from(photo.height()));
    if grow > 1.0 {
        let (w, h) = (
            (f64::from(photo.width()) * grow).ceil() as u32,
            (f64::from(photo.height()) * grow).ceil() as u32,
        );
        photo = seer_imgproc::resize_to(&photo, w, h);
    }
    let (room_x, room_y) = (photo.width() - width, photo.height() - height);
    let x = (seed.wrapping_mul(2_654_435_761) >> 8) % (room_x + 1);
    let y = (seed.wrapping_mul(40_503) >> 4) % (room_y + 1);
    image::imageops::crop_imm(&photo, x, y, width, height).to_image()
}

/// Outline and fill colours, alternated over the snippets.
fn colours(index: usize) -> ([u8; 3], [u8; 3]) {
    match index % 3 {
        0 => ([255, 255, 255], [0, 0, 0]),
        1 => ([255, 230, 40], [20, 20, 20]),
        _ => ([10, 10, 10], [250, 250, 250]),
    }
}

/// One rendered snippet and where its ink is (x1, y1, x2, y2 pixels).
struct Snippet {
    image: RgbImage,
    ink_box: [f32; 4],
    size: f32,
}

fn render(index: usize, category: Category, text: &str) -> Snippet {
    let bytes = font_bytes(category);
    let font = FontRef::try_from_slice(&bytes).unwrap();
    let size = HEIGHTS[index % HEIGHTS.len()];
    let ink = rasterise(&font, text, size);
    let margin = (size as u32).max(24);
    let (w, h) = (ink.width + 2 * margin, ink.height + 2 * margin);
    let mut image = background(
        BACKGROUNDS[index % BACKGROUNDS.len()],
        w,
        h,
        index as u32 + 1,
    );
    let (fill, edge) = colours(index);
    let outline = (size / 16.0).round().max(1.0) as i64;
    stamp(
        &mut image,
        &ink,
        i64::from(margin),
        i64::from(margin),
        fill,
        edge,
        outline,
    );
    let m = margin as f32;
    Snippet {
        image,
        ink_box: [m, m, m + ink.width as f32, m + ink.height as f32],
        size,
    }
}

/// The box holding all `lines`' boxes, if any.
fn union(lines: &[TextLine]) -> Option<[f32; 4]> {
    lines.iter().map(|l| l.bbox).reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
}

fn joined(lines: &[TextLine]) -> String {
    lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn rendered_snippets_are_read_exactly() {
    let mut reader = reader();
    let mut tally = [
        (Category::English, 0, 0),
        (Category::Digits, 0, 0),
        (Category::Chinese, 0, 0),
    ];
    if std::env::var_os("SEER_OCR_SAVE").is_some() {
        std::fs::create_dir_all("/tmp/ocr-snippets").unwrap();
    }
    for (index, &(category, text)) in SNIPPETS.iter().enumerate() {
        let snippet = render(index, category, text);
        if std::env::var_os("SEER_OCR_SAVE").is_some() {
            snippet
                .image
                .save(format!("/tmp/ocr-snippets/{index:02}.png"))
                .unwrap();
        }
        let lines = reader.read(&snippet.image).unwrap();
        let read = joined(&lines);
        let exact = read == text;
        // How far the union of the boxes is from the ink, worst edge.
        let off = union(&lines).map_or("no box".to_string(), |b| {
            let worst = b
                .iter()
                .zip(snippet.ink_box)
                .map(|(b, i)| (b - i).abs())
                .fold(0.0f32, f32::max);
            format!("{worst:.1} px")
        });
        println!(
            "{index:2} {category:?} {:2}px {:?} -> {:?} {} (box edges off the ink by at most {off})",
            snippet.size,
            text,
            read,
            if exact { "ok" } else { "MISS" }
        );
        let row = tally.iter_mut().find(|r| r.0 == category).unwrap();
        row.1 += usize::from(exact);
        row.2 += 1;
    }
    let (mut hits, mut total) = (0, 0);
    for (category, h, n) in tally {
        println!("{category:?}: {h}/{n} exact ({:.3})", h as f64 / n as f64);
        hits += h;
        total += n;
    }
    let rate = hits as f64 / total as f64;
    println!("overall: {hits}/{total} exact ({rate:.3})");
    assert!(total >= 30);
    assert!(
        rate >= EXACT_FLOOR,
        "exact-match rate {rate:.3} below {EXACT_FLOOR}"
    );
}

#[test]
fn upside_down_lines_are_turned_before_reading() {
    let mut reader = reader();
    for index in [2, 23] {
        let (category, text) = SNIPPETS[index];
        let mut snippet = render(index, category, text);
        image::imageops::rotate180_in_place(&mut snippet.image);
        let read = joined(&reader.read(&snippet.image).unwrap());
        println!("{text:?} turned 180 degrees -> {read:?}");
        assert_eq!(read, text);
    }
}

/// `image` turned by `degrees` clockwise about its centre (bilinear,
/// same size; corners left black).
fn turned(image: &RgbImage, degrees: f32) -> RgbImage {
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (image.width() as f32 / 2.0, image.height() as f32 / 2.0);
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        // Inverse rotation: where this output pixel comes from.
        let (sx, sy) = (c * dx + s * dy + cx - 0.5, -s * dx + c * dy + cy - 0.5);
        if sx < 0.0
            || sy < 0.0
            || sx > (image.width() - 1) as f32
            || sy > (image.height() - 1) as f32
        {
            return Rgb([0, 0, 0]);
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (x1, y1) = (
            (x0 + 1).min(image.width() - 1),
            (y0 + 1).min(image.height() - 1),
        );
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let mut out = [0u8; 3];
        for (i, o) in out.iter_mut().enumerate() {
            let p = |px, py| f32::from(image.get_pixel(px, py).0[i]);
            let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
            let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
            *o = (top * (1.0 - fy) + bottom * fy).round() as u8;
        }
        Rgb(out)
    })
}

#[test]
fn tilted_lines_are_straightened_before_reading() {
    let mut reader = reader();
    let mut hits = 0;
    let cases = [
        (2, 10.0),
        (3, -15.0),
        (10, 8.0),
        (23, 12.0),
        (25, -10.0),
        (12, 20.0),
    ];
    for (index, degrees) in cases {
        let (category, text) = SNIPPETS[index];
        let snippet = render(index, category, text);
        // Room for the turned line, then turned.
        let (w, h) = snippet.image.dimensions();
        let side = w.max(h);
        let mut canvas = background(BACKGROUNDS[index % BACKGROUNDS.len()], side, side, 99);
        image::imageops::replace(&mut canvas, &snippet.image, 0, i64::from((side - h) / 2));
        let tilted = turned(&canvas, degrees);
        if std::env::var_os("SEER_OCR_SAVE").is_some() {
            tilted
                .save(format!("/tmp/ocr-snippets/tilted-{index:02}.png"))
                .unwrap();
        }
        let read = joined(&reader.read(&tilted).unwrap());
        println!("{text:?} tilted {degrees} degrees -> {read:?}");
        hits += usize::from(read == text);
    }
    println!("tilted: {hits}/{} exact", cases.len());
    // Measured 6/6; one miss of slack.
    assert!(hits + 1 >= cases.len());
}

#[test]
fn vertical_chinese_is_read_top_to_bottom() {
    let mut reader = reader();
    let bytes = font_bytes(Category::Chinese);
    let font = FontRef::try_from_slice(&bytes).unwrap();
    for (index, text) in [(0u32, "注意安全"), (1, "火车站")] {
        let size = 32.0;
        let glyphs: Vec<Ink> = text
            .chars()
            .map(|c| rasterise(&font, &c.to_string(), size))
            .collect();
        let step = (size * 1.1) as i64;
        let (w, h) = (160, 80 + step as u32 * glyphs.len() as u32);
        let mut image = background(BACKGROUNDS[index as usize + 2], w, h, index + 7);
        for (i, ink) in glyphs.iter().enumerate() {
            let x = (i64::from(w) - i64::from(ink.width)) / 2;
            stamp(
                &mut image,
                ink,
                x,
                40 + step * i as i64,
                [255, 255, 255],
                [0, 0, 0],
                2,
            );
        }
        let read = joined(&reader.read(&image).unwrap());
        println!("vertical {text:?} -> {read:?}");
        assert_eq!(read, text);
    }
}

/// The text lines of the Set14 book cover (`sr/Set14/ppt3.png`), read
/// off the image by eye (the tiny "McGraw Hill" logo left out).
const COVER_LINES: &[&str] = &[
    "PowerPoint",
    "How to Do",
    "Everything",
    "2002",
    "with",
    "Create effective",
    "multimedia",
    "presentations",
    "Make your point in",
    "a meaningful,",
    "memorable way",
    "Deliver",
    "your show",
    "on-screen",
    "or on the Web",
    "Ellen Finkelstein",
    "OSBORNE",
];

#[test]
fn the_book_cover_is_read_line_by_line() {
    let mut reader = reader();
    let cover = seer_imgproc::load_rgb(&seer_testdata::path("sr/Set14/ppt3.png")).unwrap();
    let lines = reader.read(&cover).unwrap();
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    println!("cover: {texts:?}");
    let exact = COVER_LINES.iter().filter(|t| texts.contains(t)).count();
    println!("cover: {exact}/{} lines read exactly", COVER_LINES.len());
    // Measured 15/17 ("memorableway" and "EllenFinkelstein" lose their
    // space); one line of slack for other runtime builds.
    assert!(exact + 3 >= COVER_LINES.len(), "{texts:?}");
    assert!(
        lines.len() <= COVER_LINES.len() + 2,
        "invented lines: {texts:?}"
    );
}

#[test]
fn photos_without_text_give_no_lines() {
    let mut reader = reader();
    for name in [
        "drive/test_images/solidWhiteCurve.jpg",
        "drive/test_images/solidYellowLeft.jpg",
        "drive/test_images/whiteCarLaneSwitch.jpg",
        "sr/Set14/baboon.png",
        "sr/Set14/lenna.png",
        "sr/Set14/comic.png",
        "faces/probes/two_people.jpg",
    ] {
        let photo = seer_imgproc::load_rgb(&seer_testdata::path(name)).unwrap();
        let lines = reader.read(&photo).unwrap();
        assert!(lines.is_empty(), "{name}: {lines:?}");
    }
}

/// A dashcam frame with three captions drawn at known places.
fn captioned_frame() -> (RgbImage, Vec<(&'static str, [f32; 4])>) {
    let mut frame = seer_imgproc::load_rgb(&seer_testdata::path(
        "drive/test_images/solidWhiteRight.jpg",
    ))
    .unwrap();
    let captions: [(Category, &str, f32, i64, i64); 3] = [
        (Category::English, "Speed limit ahead", 32.0, 40, 40),
        (Category::Digits, "02:31", 28.0, 800, 40),
        (Category::Chinese, "注意安全", 40.0, 360, 460),
    ];
    let mut drawn = Vec::new();
    for (category, text, size, x, y) in captions {
        let bytes = font_bytes(category);
        let font = FontRef::try_from_slice(&bytes).unwrap();
        let ink = rasterise(&font, text, size);
        stamp(&mut frame, &ink, x, y, [255, 255, 255], [0, 0, 0], 2);
        drawn.push((
            text,
            [
                x as f32,
                y as f32,
                (x + i64::from(ink.width)) as f32,
                (y + i64::from(ink.height)) as f32,
            ],
        ));
    }
    (frame, drawn)
}

#[test]
fn boxes_lie_where_the_text_was_drawn() {
    let mut reader = reader();
    let (frame, drawn) = captioned_frame();
    let lines = reader.read(&frame).unwrap();
    for line in &lines {
        println!(
            "{:?} box {:?} score {:.3}",
            line.text, line.bbox, line.score
        );
    }
    for (text, ink) in drawn {
        let line = lines
            .iter()
            .find(|l| l.text == text)
            .unwrap_or_else(|| panic!("{text:?} not read in {lines:?}"));
        let height = ink[3] - ink[1];
        // The box may reach past the ink by the 2-pixel outline and the
        // detector's growth; measured up to 5.8 px (0.3 of the height of
        // "02:31"), allowed: the outline plus 0.35 of the ink height.
        let tolerance = 2.0 + 0.35 * height;
        let off: Vec<f32> = line
            .bbox
            .iter()
            .zip(ink)
            .map(|(b, i)| (b - i).abs())
            .collect();
        println!("{text:?}: ink {ink:?}, edges off by {off:?} (tolerance {tolerance:.1} px)");
        for (edge, o) in ["left", "top", "right", "bottom"].iter().zip(&off) {
            assert!(*o <= tolerance, "{text:?}: {edge} edge off by {o:.1} px");
        }
    }
    // Reading order: the two top captions (left one first), then the bottom one.
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let at = |t: &str| texts.iter().position(|x| *x == t).unwrap();
    assert!(at("Speed limit ahead") < at("02:31"));
    assert!(at("02:31") < at("注意安全"));
    let json = serde_json::to_value(seer_scene::OcrResult { lines }).unwrap();
    assert!(json["lines"][0]["box"].as_array().unwrap().len() == 4);
    assert!(json["lines"][0]["text"].is_string() && json["lines"][0]["score"].is_number());
}

#[test]
fn speed_per_960x540_frame() {
    let mut reader = reader();
    let (frame, _) = captioned_frame();
    assert_eq!(frame.dimensions(), (960, 540));
    reader.read(&frame).unwrap();
    let runs = 5;
    let start = Instant::now();
    let mut lines = 0;
    for _ in 0..runs {
        lines = reader.read(&frame).unwrap().len();
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    println!(
        "OCR: {ms:.1} ms per 960x540 frame ({lines} lines, {} threads, mean of {runs} runs)",
        reader.options().threads
    );
}

#[test]
fn empty_tiny_and_black_images_give_an_error_or_no_lines() {
    let mut reader = reader();
    match reader.read(&RgbImage::new(0, 0)) {
        Err(SceneError::EmptyImage {
            width: 0,
            height: 0,
        }) => {}
        other => panic!("0x0: {other:?}"),
    }
    assert!(matches!(
        reader.read(&RgbImage::new(0, 7)),
        Err(SceneError::EmptyImage { .. })
    ));
    for (w, h) in [(1, 1), (3, 2), (1, 500), (500, 1), (640, 360)] {
        let black = RgbImage::new(w, h);
        assert_eq!(reader.read(&black).unwrap(), Vec::new(), "{w}x{h} black");
    }
    let white = RgbImage::from_pixel(31, 33, Rgb([255, 255, 255]));
    assert_eq!(reader.read(&white).unwrap(), Vec::new());
}

#[test]
fn bad_options_are_refused_before_loading() {
    let store = seer_models::testing::store();
    let options = OcrOptions {
        max_side: 100,
        ..OcrOptions::default()
    };
    assert!(matches!(
        TextReader::open(&store, &options),
        Err(SceneError::InvalidOcrOption {
            name: "max_side",
            ..
        })
    ));
}
