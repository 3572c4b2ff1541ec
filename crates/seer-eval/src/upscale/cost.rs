//! Arithmetic cost of a whole upscale: the multiply-accumulates of every
//! model of a plan ([`seer_onnx::CostModel`] counts one graph) over the
//! tiles the upscaler actually runs ([`seer_upscale::model_inputs`]).

use crate::EvalError;
use seer_core::progress::NoProgress;
use seer_models::Store;
use seer_onnx::CostModel;
use seer_upscale::model_inputs::chain_input_shapes;
use seer_upscale::{UpscaleConvention, UpscalePlan};

/// The parsed models of a plan, ready to count any image size.
pub struct PlanCost {
    conventions: Vec<UpscaleConvention>,
    costs: Vec<CostModel>,
}

impl PlanCost {
    /// Parses every model of `plan` (fetched or imported through `store`).
    pub fn new(store: &Store, plan: &UpscalePlan) -> Result<PlanCost, EvalError> {
        let mut conventions = Vec::new();
        let mut costs = Vec::new();
        for id in &plan.chain {
            conventions.push(UpscaleConvention::from_spec(store.model(id)?)?);
            costs.push(CostModel::from_file(&store.ensure(id, &NoProgress)?)?);
        }
        Ok(PlanCost { conventions, costs })
    }

    /// Multiply-accumulates of upscaling a `width`×`height` image (pixels)
    /// with tiles of at most `tile` input pixels per side, split exactly as
    /// the upscaler splits it (tile context and padding included).
    pub fn image_macs(&mut self, width: u32, height: u32, tile: u32) -> Result<u64, EvalError> {
        let shapes = chain_input_shapes(&self.conventions, width, height, tile)?;
        let mut total = 0u64;
        for (cost, stage) in self.costs.iter_mut().zip(shapes) {
            for shape in stage {
                total = total.saturating_add(cost.macs(&[shape])?);
            }
        }
        Ok(total)
    }
}
