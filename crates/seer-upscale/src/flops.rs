//! Arithmetic cost of a whole upscale: the multiply-accumulates of every
//! model of a plan ([`seer_onnx::flops`] counts one graph) over the tiles
//! the upscaler actually runs.

use crate::stage::{stage_tiles, tile_input_size, StageLimits};
use crate::{Layout, UpscaleConvention, UpscaleError, UpscalePlan};
use seer_core::progress::NoProgress;
use seer_models::Store;
use seer_onnx::CostModel;

/// The cost of a whole upscale: every model of a plan with its convention.
pub struct ChainCost {
    stages: Vec<(UpscaleConvention, CostModel)>,
}

impl ChainCost {
    /// Parses every model of `plan` (fetched/imported through `store`).
    pub fn new(store: &Store, plan: &UpscalePlan) -> Result<ChainCost, UpscaleError> {
        let mut stages = Vec::new();
        for id in &plan.chain {
            let convention = UpscaleConvention::from_spec(store.model(id)?)?;
            let path = store.ensure(id, &NoProgress)?;
            let cost = CostModel::from_file(&path).map_err(|e| UpscaleError::Output {
                model: id.clone(),
                detail: e.to_string(),
            })?;
            stages.push((convention, cost));
        }
        Ok(ChainCost { stages })
    }

    /// MACs of upscaling a `width`×`height` image with tiles of at most
    /// `tile` input pixels per side (context included), exactly as the
    /// upscaler splits it (tile context and padding included).
    pub fn image_macs(&mut self, width: u32, height: u32, tile: u32) -> Result<u64, UpscaleError> {
        let limits = StageLimits {
            tile: tile.max(1),
            max_pixels: u64::MAX,
        };
        let (mut w, mut h) = (width, height);
        let mut total = 0;
        for (c, cost) in &mut self.stages {
            for t in stage_tiles(c, w, h, limits)? {
                let (iw, ih) = tile_input_size(c, &t);
                let ch = c.input_channels() as i64;
                let shape = match c.layout {
                    Layout::Nchw => vec![1, ch, i64::from(ih), i64::from(iw)],
                    Layout::Nhwc => vec![1, i64::from(ih), i64::from(iw), ch],
                };
                total += cost.macs(&[shape]).map_err(|e| UpscaleError::Output {
                    model: c.model.clone(),
                    detail: e.to_string(),
                })?;
            }
            w *= c.scale;
            h *= c.scale;
        }
        Ok(total)
    }
}
