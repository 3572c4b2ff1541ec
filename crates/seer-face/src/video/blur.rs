//! `face blur VIDEO OUT`: every face hidden, boxes interpolated along
//! tracks and held a few frames, audio copied; with an
//! [`ExceptGallery`] a track is left as it is only on a sure match
//! ([`DecisionRule::unblur`]).

use super::identify::identify_tracks;
use super::scan::{rewrite_video, scan_video};
use crate::error::check_output_folder;
use crate::timeline::DecisionRule;
use crate::workflow::blur::record_kept;
use crate::workflow::{blur_image_file, BlurReport, BlurRequest, ExceptGallery, Kept};
use crate::{blur_faces, video_blur_boxes, Detector, FaceError, ImageInput, ScanOptions};
use seer_core::{CancelToken, Progress};
use std::collections::HashSet;
use std::path::Path;

/// Hides every face of `input` (a video) and writes `output` (a video),
/// checking `cancel` every frame; a cancelled or failed blur leaves no
/// output file.
pub fn blur_video(
    detector: &mut Detector,
    input: &Path,
    output: &Path,
    request: &BlurRequest,
    mut except: Option<ExceptGallery>,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<BlurReport, FaceError> {
    let started = std::time::Instant::now();
    request.check()?;
    check_output_folder(output)?;
    let scan_options = ScanOptions {
        detect: request.detect,
        every: 1,
        full_search_every: request.full_search_every,
        keep_best_faces: except.is_some(),
        ..ScanOptions::default()
    };
    let scanned = scan_video(input, detector, &scan_options, progress, cancel)?;
    let mut kept = Vec::new();
    if let Some(except) = except.as_mut() {
        let decisions = identify_tracks(
            &scanned,
            except.embedder,
            except.gallery,
            1,
            &DecisionRule::unblur(),
            cancel,
        )?;
        for decision in decisions {
            let identity = decision.identity;
            if let (Some(distance), true) = (
                identity.distance,
                identity.subject != crate::gallery::UNKNOWN,
            ) {
                kept.push(Kept {
                    id: identity.track,
                    subject: identity.subject,
                    distance,
                });
            }
        }
        record_kept(except, &kept)?;
    }
    let kept_ids: HashSet<u64> = kept.iter().map(|k| k.id).collect();
    let frames = &scanned.scan.frames;
    let boxes = video_blur_boxes(
        frames,
        scanned.scan.frame_count,
        request.blur.hold_frames,
        |track| kept_ids.contains(&track),
    );
    let summary = rewrite_video(
        input,
        output,
        "blurring faces (frames)",
        progress,
        cancel,
        |index, image| {
            if let Some(list) = boxes.get(index as usize) {
                blur_faces(image, list, &request.blur);
            }
        },
    )?;
    Ok(BlurReport {
        input: input.display().to_string(),
        output: output.display().to_string(),
        frames: summary.frames,
        faces_detected: frames.iter().map(|f| f.faces.len()).sum(),
        boxes_blurred: boxes.iter().map(Vec::len).sum(),
        kept,
        copied_packets: summary.copied_packets,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Blurs the file `input` into `output`: both videos ([`blur_video`]) or
/// both images ([`blur_image_file`]); a mix is [`FaceError::KindMismatch`].
pub fn blur_file(
    detector: &mut Detector,
    input: &Path,
    output: &Path,
    request: &BlurRequest,
    except: Option<ExceptGallery>,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<BlurReport, FaceError> {
    let input_is_video = seer_video::is_video_path(input);
    if input_is_video != seer_video::is_video_path(output) {
        return Err(FaceError::KindMismatch {
            input: input.to_path_buf(),
            output: output.to_path_buf(),
        });
    }
    if input_is_video {
        blur_video(detector, input, output, request, except, progress, cancel)
    } else {
        blur_image_file(detector, &ImageInput::Path(input), output, request, except)
    }
}
