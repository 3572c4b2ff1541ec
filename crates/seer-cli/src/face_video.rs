//! Faces in videos: `seer face detect VIDEO` (per-frame detections with
//! track ids, a per-track summary, `--draw OUT.mp4`) and `seer face
//! identify --gallery G VIDEO` (one decision per track, as a timeline).
//!
//! A video is scanned once ([`scan`]): a decode thread feeds frames to the
//! detector, the tracker joins detections into tracks, and, for
//! identification, each track's best face crops are kept. Writing a video
//! ([`rewrite`]) decodes the input again, edits every frame (draw, blur)
//! and copies audio and subtitle packets unchanged into an output that
//! appears only when complete.

use crate::output::{out_line, print_json, print_table};
use crate::progress::TerminalProgress;
use anyhow::Context;
use image::{Rgb, RgbImage};
use seer_core::progress::Progress;
use seer_face::timeline::{decide, DecisionRule};
use seer_face::{
    finish_tracks, mean_embedding, timeline, BestFaces, DetectOptions, Detector, Embedder,
    FrameFaces, FrameSearch, Gallery, TimelineEntry, TrackIdentity, TrackSummary, TrackedFace,
    Tracker, TrackerOptions, BEST_FACES_PER_TRACK, MIN_IDENTIFY_FACE_PX,
};
use seer_video::{EncodeOptions, Item, VideoError, VideoInfo, VideoReader, VideoWriter};
use serde::Serialize;
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::Instant;

/// How a video is scanned for faces.
#[derive(Clone, Debug)]
pub(crate) struct ScanOptions {
    /// Detector settings.
    pub detect: DetectOptions,
    /// Run the detector on every N-th frame (1 = all).
    pub every: u64,
    /// With small faces on: run the full tile search on every N-th
    /// detected frame and follow faces between ([`FrameSearch`]).
    pub full_search_every: u64,
    /// Tracker settings.
    pub tracker: TrackerOptions,
    /// Keep each track's best face crops (for identification).
    pub keep_best_faces: bool,
}

/// The result of scanning a video.
pub(crate) struct Scan {
    /// Facts about the input.
    pub info: VideoInfo,
    /// Frames decoded.
    pub frame_count: u64,
    /// Frames the detector ran on, with their faces (track ids final).
    pub frames: Vec<FrameFaces>,
    /// Kept tracks.
    pub tracks: Vec<TrackSummary>,
    /// Best crops per (final) track id, when asked for.
    pub best: BestFaces,
    /// Wall-clock seconds of the scan.
    pub seconds: f64,
    /// Seconds spent in the detector.
    pub detect_seconds: f64,
}

/// A decoded frame for the scanner: number, time (s), and the picture
/// when the detector runs on it.
type Decoded = (u64, f64, Option<RgbImage>);

/// Decode thread of [`scan`]: sends every frame's number and time, with the
/// picture for every `every`-th frame; sends the error and stops on failure.
fn decode_frames(
    mut reader: VideoReader,
    every: u64,
    to_scanner: SyncSender<Result<Decoded, VideoError>>,
) {
    let (rate_num, rate_den) = reader.info().frame_rate;
    loop {
        let message = match reader.next_item() {
            Ok(Some(Item::Frame(frame))) => {
                let time = match frame.pts {
                    Some(pts) => reader.seconds(pts),
                    None if rate_num > 0 => frame.index as f64 * rate_den as f64 / rate_num as f64,
                    None => 0.0,
                };
                let image = (frame.index % every == 0).then_some(frame.image);
                Ok((frame.index, time, image))
            }
            Ok(Some(Item::Packet(_))) => continue,
            Ok(None) => return,
            Err(e) => Err(e),
        };
        let failed = message.is_err();
        if to_scanner.send(message).is_err() || failed {
            return;
        }
    }
}

/// Detects and tracks the faces of every `options.every`-th frame of `path`.
pub(crate) fn scan(
    path: &Path,
    detector: &mut Detector,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> anyhow::Result<Scan> {
    let started = Instant::now();
    let reader = VideoReader::open(path)?;
    let info = reader.info().clone();
    let every = options.every.max(1);
    let mut tracker = Tracker::new(options.tracker);
    let mut search = FrameSearch::new(options.full_search_every);
    let mut best = BestFaces::new(BEST_FACES_PER_TRACK);
    let mut frames = Vec::new();
    let mut frame_count = 0;
    let mut detect_seconds = 0.0;
    progress.start("detecting faces (frames)", info.frames);
    let (to_scanner, from_decoder) = sync_channel(4);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        scope.spawn(move || decode_frames(reader, every, to_scanner));
        for message in from_decoder {
            let (index, time_s, image) = message?;
            frame_count = index + 1;
            progress.set(frame_count);
            let Some(image) = image else { continue };
            let t = Instant::now();
            let faces = search
                .detect(detector, &image, &options.detect)
                .with_context(|| {
                    format!(
                        "face detection failed on frame {index} of {}",
                        path.display()
                    )
                })?;
            detect_seconds += t.elapsed().as_secs_f64();
            let boxes: Vec<_> = faces.iter().map(|f| f.bbox).collect();
            let ids = tracker.update(&boxes);
            if options.keep_best_faces {
                for (face, &id) in faces.iter().zip(&ids) {
                    best.offer(id, &image, face);
                }
            }
            frames.push(FrameFaces {
                frame: index,
                time_s,
                faces: faces
                    .into_iter()
                    .zip(ids)
                    .map(|(face, id)| TrackedFace {
                        track: Some(id),
                        face,
                    })
                    .collect(),
            });
        }
        Ok(())
    })?;
    progress.finish();
    if frame_count == 0 {
        anyhow::bail!("{} holds no decodable video frames", path.display());
    }
    let (tracks, renumber) = finish_tracks(&mut frames, options.tracker.min_hits);
    best.renumber(&renumber);
    Ok(Scan {
        info,
        frame_count,
        frames,
        tracks,
        best,
        seconds: started.elapsed().as_secs_f64(),
        detect_seconds,
    })
}

/// Decodes `input` again and writes `output` with every frame passed
/// through `edit(frame number, picture)`, other streams copied packet for
/// packet. Nothing appears at `output` unless all went well.
pub(crate) fn rewrite(
    input: &Path,
    output: &Path,
    label: &str,
    progress: &dyn Progress,
    mut edit: impl FnMut(u64, &mut RgbImage),
) -> anyhow::Result<seer_video::WriteSummary> {
    crate::output::require_output_folder(output)?;
    if let (Ok(a), Ok(b)) = (input.canonicalize(), output.canonicalize()) {
        if a == b {
            anyhow::bail!(
                "the output {} is the input; choose another file",
                output.display()
            );
        }
    }
    let mut reader = VideoReader::open(input)?;
    let size = reader.info().size;
    progress.start(label, reader.info().frames);
    let mut writer = VideoWriter::create(output, &reader, size, &EncodeOptions::default())?;
    let mut done = 0;
    while let Some(item) = reader.next_item()? {
        match item {
            Item::Frame(mut frame) => {
                edit(frame.index, &mut frame.image);
                writer.write_frame(&frame.image, frame.pts)?;
                done += 1;
                progress.set(done);
            }
            Item::Packet(packet) => writer.write_packet(packet)?,
        }
    }
    let summary = writer.finish()?;
    progress.finish();
    Ok(summary)
}

/// One decision per track: the mean descriptor of its best crops,
/// identified against `gallery` and decided by [`decide`].
pub(crate) fn identify_tracks(
    scan: &Scan,
    embedder: &mut Embedder,
    gallery: &Gallery,
    top_k: usize,
    rule: &DecisionRule,
) -> anyhow::Result<Vec<(TrackIdentity, Vec<seer_face::Match>)>> {
    let mut out = Vec::new();
    for track in &scan.tracks {
        let mut embeddings = Vec::new();
        for crop in scan.best.crops(track.track) {
            embeddings.push(embedder.embed_crop(crop)?);
        }
        let mut candidates = match mean_embedding(&embeddings) {
            Some(mean) => gallery.identify(&mean, top_k.max(2)),
            None => Vec::new(),
        };
        let subject = decide(track, &candidates, rule)
            .unwrap_or(seer_face::gallery::UNKNOWN)
            .to_string();
        candidates.truncate(top_k.max(1));
        let identity = TrackIdentity {
            track: track.track,
            subject,
            distance: candidates.first().map(|m| m.distance),
            faces_used: embeddings.len(),
        };
        out.push((identity, candidates));
    }
    Ok(out)
}

/// The descriptors to enrol from a video of one person: the video is
/// scanned like `face detect VIDEO` (whole frames), and the person's track
/// gives one descriptor per kept best crop (up to
/// [`BEST_FACES_PER_TRACK`]), with those crops PNG-encoded when
/// `keep_crops` (`--keep-images`). More than one face track is an error unless
/// `largest`, which takes the most prominent track (mean face area ×
/// frames); no track, or a face under [`MIN_IDENTIFY_FACE_PX`] on
/// average, is an error too.
pub(crate) fn enrolment_from_video(
    path: &Path,
    detector: &mut Detector,
    embedder: &mut Embedder,
    largest: bool,
    keep_crops: bool,
    progress: &dyn Progress,
) -> anyhow::Result<(Vec<seer_face::Embedding>, Vec<Vec<u8>>)> {
    let options = ScanOptions {
        detect: DetectOptions::default(),
        every: 1,
        full_search_every: 1,
        tracker: TrackerOptions::default(),
        keep_best_faces: true,
    };
    let scanned = scan(path, detector, &options, progress)?;
    let tracks = &scanned.tracks;
    if tracks.len() > 1 && !largest {
        anyhow::bail!(
            "the video shows {} face tracks; an enrolment video must show one person (or use --largest to take the most prominent face)",
            tracks.len()
        );
    }
    let prominence = |t: &TrackSummary| t.mean_size_px * t.mean_size_px * t.frames as f32;
    let track = tracks
        .iter()
        .max_by(|a, b| prominence(a).total_cmp(&prominence(b)))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no face found in the video (a face must be seen in at least {} frames)",
                options.tracker.min_hits
            )
        })?;
    if track.mean_size_px < MIN_IDENTIFY_FACE_PX {
        anyhow::bail!(
            "the face in the video is {:.0} px on average; enrolment needs at least {MIN_IDENTIFY_FACE_PX:.0} px",
            track.mean_size_px
        );
    }
    let mut embeddings = Vec::new();
    let mut crops = Vec::new();
    for crop in scanned.best.crops(track.track) {
        embeddings.push(embedder.embed_crop(crop)?);
        if keep_crops {
            let mut png = Vec::new();
            crop.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
            crops.push(png);
        }
    }
    Ok((embeddings, crops))
}

#[derive(Serialize)]
struct FrameLine<'a> {
    kind: &'static str,
    #[serde(flatten)]
    frame: &'a FrameFaces,
}

#[derive(Serialize)]
struct DetectSummary<'a> {
    kind: &'static str,
    video: String,
    width: u32,
    height: u32,
    frames: u64,
    detected_frames: usize,
    every: u64,
    seconds: f64,
    detect_seconds: f64,
    fps: f64,
    tracks: &'a [TrackSummary],
}

/// `seer face detect VIDEO`: JSON lines (one per detected frame, then the
/// summary) with `--json`, else a table of tracks.
pub(crate) fn detect(
    video: &Path,
    options: DetectOptions,
    every: u64,
    full_search_every: u64,
    draw: Option<&Path>,
    json: bool,
) -> anyhow::Result<()> {
    if every == 0 {
        anyhow::bail!("--every must be at least 1");
    }
    if full_search_every == 0 {
        anyhow::bail!("--full-search-every must be at least 1");
    }
    if let Some(out) = draw {
        if !seer_video::is_video_path(out) {
            anyhow::bail!(
                "--draw {} must be a video file (.mp4, .mkv, .mov or .webm) for a video input",
                out.display()
            );
        }
        crate::output::require_output_folder(out)?;
    }
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let scan_options = ScanOptions {
        detect: options,
        every,
        full_search_every,
        tracker: TrackerOptions::default(),
        keep_best_faces: false,
    };
    let scan = scan(video, &mut detector, &scan_options, &progress)?;
    if let Some(out) = draw {
        draw_video(video, out, &scan, &progress)?;
    }
    let summary = DetectSummary {
        kind: "summary",
        video: video.display().to_string(),
        width: scan.info.size.0,
        height: scan.info.size.1,
        frames: scan.frame_count,
        detected_frames: scan.frames.len(),
        every,
        seconds: scan.seconds,
        detect_seconds: scan.detect_seconds,
        fps: scan.frame_count as f64 / scan.seconds.max(1e-9),
        tracks: &scan.tracks,
    };
    if json {
        for frame in &scan.frames {
            out_line(&serde_json::to_string(&FrameLine {
                kind: "frame",
                frame,
            })?);
        }
        out_line(&serde_json::to_string(&summary)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = scan
        .tracks
        .iter()
        .map(|t| {
            vec![
                t.track.to_string(),
                format!("{:.2}", t.start_s),
                format!("{:.2}", t.end_s),
                t.frames.to_string(),
                format!("{:.0}", t.mean_size_px),
                format!("{:.3}", t.best_score),
            ]
        })
        .collect();
    print_table(
        &[
            "track",
            "first s",
            "last s",
            "frames",
            "size px",
            "best score",
        ],
        &rows,
    );
    let untracked = scan
        .frames
        .iter()
        .flat_map(|f| &f.faces)
        .filter(|f| f.track.is_none())
        .count();
    out_line(&format!(
        "{} frames ({} scanned), {} tracks, {} untracked detections, {:.1} frames/s",
        scan.frame_count,
        scan.frames.len(),
        scan.tracks.len(),
        untracked,
        summary.fps
    ));
    Ok(())
}

#[derive(Serialize)]
struct IdentifyVideoOutput {
    video: String,
    threshold: f32,
    frames: u64,
    seconds: f64,
    timeline: Vec<TimelineEntry>,
    tracks: Vec<TrackIdentityOutput>,
}

#[derive(Serialize)]
struct TrackIdentityOutput {
    #[serde(flatten)]
    identity: TrackIdentity,
    candidates: Vec<seer_face::Match>,
}

/// `seer face identify --gallery G VIDEO`: a timeline of tracks and who
/// they are.
pub(crate) fn identify(
    gallery: Gallery,
    video: &Path,
    small_faces: bool,
    full_search_every: u64,
    top_k: usize,
    json: bool,
) -> anyhow::Result<()> {
    if full_search_every == 0 {
        anyhow::bail!("--full-search-every must be at least 1");
    }
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let mut embedder = Embedder::from_store(&store, &progress)?;
    let scan_options = ScanOptions {
        detect: DetectOptions {
            small_faces,
            ..Default::default()
        },
        every: 1,
        full_search_every,
        tracker: TrackerOptions::default(),
        keep_best_faces: true,
    };
    let scan = scan(video, &mut detector, &scan_options, &progress)?;
    let decided = identify_tracks(
        &scan,
        &mut embedder,
        &gallery,
        top_k,
        &DecisionRule::default(),
    )?;
    let identities: Vec<TrackIdentity> = decided.iter().map(|(i, _)| i.clone()).collect();
    let named: Vec<&str> = identities.iter().map(|i| i.subject.as_str()).collect();
    gallery.record_identification(&named, &crate::gallery::caller())?;
    let result = IdentifyVideoOutput {
        video: video.display().to_string(),
        threshold: gallery.threshold(),
        frames: scan.frame_count,
        seconds: scan.seconds,
        timeline: timeline(&scan.tracks, &identities),
        tracks: decided
            .into_iter()
            .map(|(identity, candidates)| TrackIdentityOutput {
                identity,
                candidates,
            })
            .collect(),
    };
    if json {
        return print_json(&result);
    }
    let rows: Vec<Vec<String>> = result
        .timeline
        .iter()
        .map(|e| {
            vec![
                format!("{:.2}", e.start_s),
                format!("{:.2}", e.end_s),
                e.track.to_string(),
                e.subject.clone(),
                e.distance.map_or("-".to_string(), |d| format!("{d:.3}")),
                e.frames.to_string(),
            ]
        })
        .collect();
    print_table(
        &["start s", "end s", "track", "subject", "distance", "frames"],
        &rows,
    );
    if result.timeline.is_empty() {
        eprintln!("no face tracks found in {}", result.video);
    }
    Ok(())
}

/// Colour of a track's box (a fixed palette; untracked faces are grey).
fn track_colour(track: Option<u64>) -> Rgb<u8> {
    const PALETTE: [[u8; 3]; 8] = [
        [0, 255, 0],
        [255, 64, 64],
        [64, 160, 255],
        [255, 220, 0],
        [255, 0, 255],
        [0, 255, 255],
        [255, 140, 0],
        [160, 255, 160],
    ];
    match track {
        Some(id) => Rgb(PALETTE[(id as usize).wrapping_sub(1) % PALETTE.len()]),
        None => Rgb([160, 160, 160]),
    }
}

/// Writes `out`: the input with each face's box and track id drawn; on
/// frames the detector skipped (`--every`) the last scanned frame's boxes.
pub(crate) fn draw_video(
    input: &Path,
    out: &Path,
    scan: &Scan,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    let mut next = 0;
    let mut current: Option<&FrameFaces> = None;
    rewrite(
        input,
        out,
        "drawing faces (frames)",
        progress,
        |index, image| {
            while next < scan.frames.len() && scan.frames[next].frame <= index {
                current = Some(&scan.frames[next]);
                next += 1;
            }
            let Some(frame) = current else { return };
            let thickness = (image.width().max(image.height()) / 400).max(2);
            for face in &frame.faces {
                let b = face.face.bbox;
                let colour = track_colour(face.track);
                seer_imgproc::draw_rect(
                    image,
                    b.x.round() as i64,
                    b.y.round() as i64,
                    b.width.round().max(1.0) as u32,
                    b.height.round().max(1.0) as u32,
                    thickness,
                    colour,
                );
                if let Some(id) = face.track {
                    let scale = (thickness + 1).max(3);
                    let text = id.to_string();
                    let label_y = b.y.round() as i64 - 6 * scale as i64 - thickness as i64;
                    draw_digits(image, b.x.round() as i64, label_y, &text, scale, colour);
                }
            }
        },
    )?;
    Ok(())
}

/// 3×5 bitmaps of the digits 0–9, rows top to bottom, 3 bits per row.
const DIGITS: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b001, 0b001, 0b001],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];

/// Draws the decimal digits of `text` (other characters are skipped) with
/// their top-left corner at (`x`, `y`), each font pixel `scale` pixels,
/// on a black background; parts outside the image are clipped.
fn draw_digits(image: &mut RgbImage, x: i64, y: i64, text: &str, scale: u32, colour: Rgb<u8>) {
    let digits: Vec<usize> = text
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| d as usize)
        .collect();
    let s = scale as i64;
    let y = y.max(0);
    let width = (digits.len() as i64 * 4 + 1) * s;
    let mut put = |px: i64, py: i64, c: Rgb<u8>| {
        if px >= 0 && py >= 0 && px < image.width() as i64 && py < image.height() as i64 {
            image.put_pixel(px as u32, py as u32, c);
        }
    };
    for py in y..y + 7 * s {
        for px in x..x + width {
            put(px, py, Rgb([0, 0, 0]));
        }
    }
    for (i, &d) in digits.iter().enumerate() {
        let left = x + (i as i64 * 4 + 1) * s;
        for (row, bits) in DIGITS[d].iter().enumerate() {
            for col in 0..3 {
                if bits & (0b100 >> col) != 0 {
                    let (fx, fy) = (left + col * s, y + (row as i64 + 1) * s);
                    for py in fy..fy + s {
                        for px in fx..fx + s {
                            put(px, py, colour);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_drawn_inside_their_box_and_clipped_at_the_edge() {
        let mut image = RgbImage::from_pixel(40, 20, Rgb([9, 9, 9]));
        draw_digits(&mut image, 2, 3, "18", 2, Rgb([255, 0, 0]));
        let red = image.pixels().filter(|p| p.0 == [255, 0, 0]).count();
        // "1" has 8 lit font pixels, "8" has 13; each is 2×2 image pixels.
        assert_eq!(red, (8 + 13) * 4);
        assert_eq!(image.get_pixel(0, 0).0, [9, 9, 9]);
        draw_digits(&mut image, 35, 15, "8", 3, Rgb([0, 255, 0]));
    }
}
