//! Multi-object tracking accuracy over a sequence: the CLEAR-MOT metrics
//! (Bernardin & Stiefelhagen 2008) and the identity metrics IDF1/IDP/IDR
//! (Ristani et al. 2016).
//!
//! Input: ground-truth boxes and hypothesis (tracker) boxes as
//! `(frame, id, box)`, boxes in pixels. A ground-truth box and a hypothesis
//! box can correspond when their IoU is at least [`MATCH_IOU`] (0.5).
//!
//! CLEAR-MOT, frame by frame: a ground-truth object keeps the hypothesis it
//! was last matched to (in any earlier frame) when that hypothesis is
//! present and still overlaps enough; the rest are matched by an optimal
//! assignment (cost 1 − IoU). A match whose hypothesis differs from the
//! object's last matched one is an identity switch; unmatched ground truth
//! are misses, unmatched hypotheses false positives.
//!
//! Identity metrics: one global one-to-one matching between ground-truth
//! trajectories and hypothesis trajectories maximising the number of
//! frames where the paired boxes correspond (IDTP); every other
//! ground-truth box is an IDFN, every other hypothesis box an IDFP.

use crate::assignment::min_cost_matching;
use crate::error::MetricsError;
use seer_core::geometry::Rect;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Least IoU for a ground-truth box and a hypothesis box to correspond.
pub const MATCH_IOU: f32 = 0.5;

/// The metrics of one sequence. Every ratio is 0 when its denominator is 0
/// (e.g. MOTA with no ground truth).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MotMetrics {
    /// Distinct frames with ground truth or hypotheses.
    pub frames: usize,
    /// Ground-truth boxes over all frames.
    pub gt_objects: usize,
    /// Hypothesis boxes over all frames.
    pub hypotheses: usize,
    /// Ground-truth boxes matched to a hypothesis (CLEAR-MOT).
    pub matches: usize,
    /// Hypothesis boxes matched to no ground truth.
    pub false_positives: usize,
    /// Ground-truth boxes matched to no hypothesis.
    pub misses: usize,
    /// Matches whose hypothesis id differs from the one the object was last
    /// matched to.
    pub id_switches: usize,
    /// Times a ground-truth trajectory goes from matched to missed and is
    /// matched again later.
    pub fragmentations: usize,
    /// 1 − (misses + false positives + id switches) / ground-truth boxes.
    pub mota: f64,
    /// Mean IoU of the matches, 0..1 (higher is better).
    pub motp: f64,
    /// Identity F1: 2·IDTP / (ground-truth boxes + hypothesis boxes).
    pub idf1: f64,
    /// Identity precision: IDTP / hypothesis boxes.
    pub idp: f64,
    /// Identity recall: IDTP / ground-truth boxes.
    pub idr: f64,
    /// Frames where the globally matched trajectories correspond.
    pub idtp: usize,
    /// Hypothesis boxes outside the identity matching's correspondences.
    pub idfp: usize,
    /// Ground-truth boxes outside the identity matching's correspondences.
    pub idfn: usize,
    /// Ground-truth trajectories matched in at least 80 % of their frames.
    pub mostly_tracked: usize,
    /// Ground-truth trajectories matched in less than 20 % of their frames.
    pub mostly_lost: usize,
    /// Distinct ground-truth ids.
    pub gt_trajectories: usize,
    /// Recall of the boxes: matches / ground-truth boxes.
    pub recall: f64,
    /// Precision of the boxes: matches / hypothesis boxes.
    pub precision: f64,
}

/// One box of a sequence: frame number, object id and box in pixels.
pub type LabelledBox = (u32, u64, Rect);

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Groups boxes by frame (ascending), checking boxes and id uniqueness.
fn by_frame(
    boxes: &[LabelledBox],
    which: &'static str,
) -> Result<BTreeMap<u32, Vec<(u64, Rect)>>, MetricsError> {
    let mut frames: BTreeMap<u32, Vec<(u64, Rect)>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for &(frame, id, bbox) in boxes {
        let finite = [bbox.x, bbox.y, bbox.width, bbox.height]
            .iter()
            .all(|v| v.is_finite());
        if !finite || bbox.width < 0.0 || bbox.height < 0.0 {
            return Err(MetricsError::InvalidBox { which, frame, id });
        }
        if !seen.insert((frame, id)) {
            return Err(MetricsError::DuplicateId { which, frame, id });
        }
        frames.entry(frame).or_default().push((id, bbox));
    }
    Ok(frames)
}

/// The CLEAR-MOT and identity metrics of `hypotheses` against
/// `ground_truth` (see the module documentation). Fails on a non-finite
/// or negative box, or an id used twice in one frame.
pub fn evaluate(
    ground_truth: &[LabelledBox],
    hypotheses: &[LabelledBox],
) -> Result<MotMetrics, MetricsError> {
    let gt = by_frame(ground_truth, "ground truth")?;
    let hyp = by_frame(hypotheses, "hypothesis")?;
    let frames: BTreeSet<u32> = gt.keys().chain(hyp.keys()).copied().collect();
    let empty = Vec::new();

    let (mut matches, mut fp, mut misses, mut switches) = (0usize, 0usize, 0usize, 0usize);
    let mut iou_sum = 0.0f64;
    // The hypothesis each ground-truth id was last matched to.
    let mut last_match: HashMap<u64, u64> = HashMap::new();
    // Per ground-truth id: matched or not, frame by frame (ascending).
    let mut history: BTreeMap<u64, Vec<bool>> = BTreeMap::new();
    // Per (gt id, hyp id): frames where their boxes correspond (IDF1).
    let mut overlap: HashMap<(u64, u64), usize> = HashMap::new();

    for frame in &frames {
        let g = gt.get(frame).unwrap_or(&empty);
        let h = hyp.get(frame).unwrap_or(&empty);
        let ious: Vec<Vec<f32>> = g
            .iter()
            .map(|(_, gb)| h.iter().map(|(_, hb)| gb.iou(hb)).collect())
            .collect();
        for (gi, (gid, _)) in g.iter().enumerate() {
            for (hi, (hid, _)) in h.iter().enumerate() {
                if ious[gi][hi] >= MATCH_IOU {
                    *overlap.entry((*gid, *hid)).or_default() += 1;
                }
            }
        }

        let mut g_match: Vec<Option<usize>> = vec![None; g.len()];
        let mut h_taken = vec![false; h.len()];
        // Keep last correspondences that still hold.
        for (gi, (gid, _)) in g.iter().enumerate() {
            let Some(prev) = last_match.get(gid) else {
                continue;
            };
            if let Some(hi) = h.iter().position(|(hid, _)| hid == prev) {
                if !h_taken[hi] && ious[gi][hi] >= MATCH_IOU {
                    g_match[gi] = Some(hi);
                    h_taken[hi] = true;
                }
            }
        }
        // Optimal assignment of the rest.
        let g_free: Vec<usize> = (0..g.len()).filter(|&i| g_match[i].is_none()).collect();
        let h_free: Vec<usize> = (0..h.len()).filter(|&i| !h_taken[i]).collect();
        let pairs = min_cost_matching(g_free.len(), h_free.len(), |r, c| {
            let iou = ious[g_free[r]][h_free[c]];
            (iou >= MATCH_IOU).then_some(1.0 - iou as f64)
        });
        for (r, c) in pairs {
            let (gi, hi) = (g_free[r], h_free[c]);
            g_match[gi] = Some(hi);
            h_taken[hi] = true;
            let (gid, hid) = (g[gi].0, h[hi].0);
            if last_match.get(&gid).is_some_and(|&prev| prev != hid) {
                switches += 1;
            }
        }
        for (gi, m) in g_match.iter().enumerate() {
            let gid = g[gi].0;
            history.entry(gid).or_default().push(m.is_some());
            match m {
                Some(hi) => {
                    matches += 1;
                    iou_sum += ious[gi][*hi] as f64;
                    last_match.insert(gid, h[*hi].0);
                }
                None => misses += 1,
            }
        }
        fp += h_taken.iter().filter(|t| !**t).count();
    }

    let mut fragmentations = 0;
    let (mut mostly_tracked, mut mostly_lost) = (0, 0);
    for flags in history.values() {
        let tracked = flags.iter().filter(|f| **f).count();
        let share = ratio(tracked as f64, flags.len() as f64);
        if share >= 0.8 {
            mostly_tracked += 1;
        } else if share < 0.2 {
            mostly_lost += 1;
        }
        // Matched → missed transitions followed by a later match.
        let first = flags.iter().position(|f| *f);
        let last = flags.iter().rposition(|f| *f);
        if let (Some(a), Some(b)) = (first, last) {
            fragmentations += flags[a..=b].windows(2).filter(|w| w[0] && !w[1]).count();
        }
    }

    // Identity: maximise the corresponding frames over one-to-one pairs.
    let gt_ids: Vec<u64> = history.keys().copied().collect();
    let hyp_ids: Vec<u64> = hypotheses
        .iter()
        .map(|b| b.1)
        .collect::<BTreeSet<u64>>()
        .into_iter()
        .collect();
    let pairs = min_cost_matching(gt_ids.len(), hyp_ids.len(), |r, c| {
        overlap.get(&(gt_ids[r], hyp_ids[c])).map(|&n| -(n as f64))
    });
    let idtp: usize = pairs
        .iter()
        .filter_map(|&(r, c)| overlap.get(&(gt_ids[r], hyp_ids[c])))
        .sum();
    let (n_gt, n_hyp) = (ground_truth.len(), hypotheses.len());
    let idfn = n_gt - idtp.min(n_gt);
    let idfp = n_hyp - idtp.min(n_hyp);

    Ok(MotMetrics {
        frames: frames.len(),
        gt_objects: n_gt,
        hypotheses: n_hyp,
        matches,
        false_positives: fp,
        misses,
        id_switches: switches,
        fragmentations,
        mota: if n_gt > 0 {
            1.0 - (misses + fp + switches) as f64 / n_gt as f64
        } else {
            0.0
        },
        motp: ratio(iou_sum, matches as f64),
        idf1: ratio(2.0 * idtp as f64, (n_gt + n_hyp) as f64),
        idp: ratio(idtp as f64, n_hyp as f64),
        idr: ratio(idtp as f64, n_gt as f64),
        idtp,
        idfp,
        idfn,
        mostly_tracked,
        mostly_lost,
        gt_trajectories: gt_ids.len(),
        recall: ratio(matches as f64, n_gt as f64),
        precision: ratio(matches as f64, n_hyp as f64),
    })
}
