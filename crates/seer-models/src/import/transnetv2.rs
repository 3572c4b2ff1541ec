//! TransNetV2 (learned shot-boundary detector) rebuilt in ONNX from its
//! PyTorch state dict. The architecture is built in code (as the face-api
//! importer does): three stacks of two DDCNN blocks — four (2+1)D dilated
//! 3D convolutions (time dilation 1, 2, 4, 8), batch norm, ReLU — each stack
//! with a residual and a 1×2×2 average pool; a learned frame-similarity branch
//! over the pooled block features; a colour-histogram similarity branch; then
//! dense 4864→1024 and two sigmoid heads.
//!
//! Inputs of the ONNX graph (one window of [`WINDOW`] frames):
//! - `frames`: float32 `[1, 100, 27, 48, 3]`, RGB values 0..255 (48×27 pixels).
//! - `histograms`: float32 `[1, 100, 512]`, each frame's 8×8×8 RGB histogram
//!   (bin = (r>>5)<<6 | (g>>5)<<3 | b>>5) L2-normalised. It is computed by the
//!   caller because a scatter-add histogram has no compact ONNX form.
//!
//! Outputs: `single` `[1, 100, 1]` (probability that a frame is a transition)
//! and `many` `[1, 100, 1]` (probability that it is inside a transition).

use std::path::Path;

use seer_onnx::builder::{Attr, GraphBuilder};
use seer_onnx::{DataType, Dim, ModelProto};

use crate::import::pytorch::Checkpoint;
use crate::import::ImportError;

/// Bumped when the produced graph changes, so cached imports are redone.
pub const IMPORTER_VERSION: u32 = 1;
/// Frames per window the graph takes.
pub const WINDOW: usize = 100;
/// Frame width the network takes, in pixels.
pub const WIDTH: usize = 48;
/// Frame height the network takes, in pixels.
pub const HEIGHT: usize = 27;
/// Frames either side the similarity branches look at.
const LOOKUP: usize = 101;
const BN_EPS: f32 = 1e-3;

/// Imports the TransNetV2 PyTorch checkpoint at `pth` to ONNX.
pub fn import(pth: &Path) -> Result<ModelProto, ImportError> {
    let ckpt = Checkpoint::open(pth)?;
    let mut b = Builder {
        ckpt: &ckpt,
        path: pth,
        g: GraphBuilder::new("transnetv2"),
    };
    b.build()?;
    b.g.metadata("seer.source", "transnetv2 pytorch checkpoint");
    Ok(b.g.finish())
}

struct Builder<'a> {
    ckpt: &'a Checkpoint,
    path: &'a Path,
    g: GraphBuilder,
}

impl Builder<'_> {
    /// A weight with the expected shape, or an error naming it.
    fn weight(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ImportError> {
        let t = self.ckpt.tensor(name)?;
        if t.shape != shape {
            return Err(ImportError::malformed(
                self.path,
                format!(
                    "tensor '{name}' has shape {:?}, TransNetV2 needs {shape:?}",
                    t.shape
                ),
            ));
        }
        Ok(t.data)
    }

    fn build(&mut self) -> Result<(), ImportError> {
        let t = WINDOW as i64;
        let frames = self.g.input(
            "frames",
            DataType::Float,
            &[
                Dim::Fixed(1),
                Dim::Fixed(t),
                Dim::Fixed(HEIGHT as i64),
                Dim::Fixed(WIDTH as i64),
                Dim::Fixed(3),
            ],
        );
        let hist = self.g.input(
            "histograms",
            DataType::Float,
            &[Dim::Fixed(1), Dim::Fixed(t), Dim::Fixed(512)],
        );

        let scale = self.g.const_f32("inv255", &[], &[1.0 / 255.0]);
        let x = self.g.node("Mul", &[&frames, &scale], &[], "scaled");
        let mut x = self.g.node(
            "Transpose",
            &[&x],
            &[("perm", Attr::Ints(vec![0, 4, 1, 2, 3]))],
            "ncthw",
        );

        let mut features = Vec::new();
        let mut in_ch = 3;
        for stack in 0..3 {
            let filters = 16usize << stack;
            x = self.stack(&x, stack, in_ch, filters)?;
            in_ch = filters * 4;
            features.push((x.clone(), in_ch));
        }

        // Main path: [1,256,T,3,6] → [1,T,3·6·256].
        let main = self.g.node(
            "Transpose",
            &[&x],
            &[("perm", Attr::Ints(vec![0, 2, 3, 4, 1]))],
            "ntwhc",
        );
        let shape = self.g.const_i64("main_shape", &[3], &[1, t, -1]);
        let main = self.g.node("Reshape", &[&main, &shape], &[], "main_flat");

        let sim = self.frame_similarity(&features)?;
        let colour = self.colour_similarity(&hist)?;
        let all = self.g.node(
            "Concat",
            &[&colour, &sim, &main],
            &[("axis", Attr::Int(2))],
            "features",
        );
        let dense = self.linear(&all, "fc1", 4864, 1024)?;
        let dense = self.g.node("Relu", &[&dense], &[], "fc1_relu");
        let one = self.linear(&dense, "cls_layer1", 1024, 1)?;
        let many = self.linear(&dense, "cls_layer2", 1024, 1)?;
        let one = self.g.node("Sigmoid", &[&one], &[], "single_prob");
        let many = self.g.node("Sigmoid", &[&many], &[], "many_prob");
        let dims = [Dim::Fixed(1), Dim::Fixed(t), Dim::Fixed(1)];
        self.g.output(&one, "single", DataType::Float, Some(&dims));
        self.g.output(&many, "many", DataType::Float, Some(&dims));
        Ok(())
    }

    /// One StackedDDCNNV2: two DDCNN blocks, residual from the first, pool.
    fn stack(
        &mut self,
        x: &str,
        stack: usize,
        in_ch: usize,
        filters: usize,
    ) -> Result<String, ImportError> {
        let p = format!("SDDCNN.{stack}.DDCNN");
        let first = self.ddcnn(x, &format!("{p}.0"), in_ch, filters, true)?;
        let second = self.ddcnn(&first, &format!("{p}.1"), filters * 4, filters, false)?;
        let second = self.g.node("Relu", &[&second], &[], &format!("{p}.relu"));
        let sum = self
            .g
            .node("Add", &[&second, &first], &[], &format!("{p}.residual"));
        let attrs = [
            ("kernel_shape", Attr::Ints(vec![1, 2, 2])),
            ("strides", Attr::Ints(vec![1, 2, 2])),
        ];
        Ok(self.g.node(
            "AveragePool",
            &[&sum],
            &attrs,
            &format!("SDDCNN.{stack}.pool"),
        ))
    }

    /// One DilatedDCNNV2: four (2+1)D convolutions concatenated, batch norm.
    fn ddcnn(
        &mut self,
        x: &str,
        p: &str,
        in_ch: usize,
        filters: usize,
        relu: bool,
    ) -> Result<String, ImportError> {
        let mut branches = Vec::new();
        for d in [1usize, 2, 4, 8] {
            let c = format!("{p}.Conv3D_{d}.layers");
            let w1 = self.weight(&format!("{c}.0.weight"), &[2 * filters, in_ch, 1, 3, 3])?;
            let w1 = self.g.const_f32(
                &format!("{c}.0.weight"),
                &[2 * filters as i64, in_ch as i64, 1, 3, 3],
                &w1,
            );
            let spatial = [
                ("kernel_shape", Attr::Ints(vec![1, 3, 3])),
                ("pads", Attr::Ints(vec![0, 1, 1, 0, 1, 1])),
            ];
            let y = self.g.node("Conv", &[x, &w1], &spatial, &format!("{c}.0"));
            let w2 = self.weight(&format!("{c}.1.weight"), &[filters, 2 * filters, 3, 1, 1])?;
            let w2 = self.g.const_f32(
                &format!("{c}.1.weight"),
                &[filters as i64, 2 * filters as i64, 3, 1, 1],
                &w2,
            );
            let di = d as i64;
            let temporal = [
                ("kernel_shape", Attr::Ints(vec![3, 1, 1])),
                ("dilations", Attr::Ints(vec![di, 1, 1])),
                ("pads", Attr::Ints(vec![di, 0, 0, di, 0, 0])),
            ];
            branches.push(
                self.g
                    .node("Conv", &[&y, &w2], &temporal, &format!("{c}.1")),
            );
        }
        let refs: Vec<&str> = branches.iter().map(String::as_str).collect();
        let cat = self.g.node(
            "Concat",
            &refs,
            &[("axis", Attr::Int(1))],
            &format!("{p}.cat"),
        );

        // Batch norm (inference) folded to y = x·scale + shift per channel.
        let ch = filters * 4;
        let gamma = self.weight(&format!("{p}.bn.weight"), &[ch])?;
        let beta = self.weight(&format!("{p}.bn.bias"), &[ch])?;
        let mean = self.weight(&format!("{p}.bn.running_mean"), &[ch])?;
        let var = self.weight(&format!("{p}.bn.running_var"), &[ch])?;
        let scale: Vec<f32> = gamma
            .iter()
            .zip(&var)
            .map(|(g, v)| g / (v + BN_EPS).sqrt())
            .collect();
        let shift: Vec<f32> = beta
            .iter()
            .zip(&mean)
            .zip(&scale)
            .map(|((b, m), s)| b - m * s)
            .collect();
        let dims = [1, ch as i64, 1, 1, 1];
        let scale = self.g.const_f32(&format!("{p}.bn.scale"), &dims, &scale);
        let shift = self.g.const_f32(&format!("{p}.bn.shift"), &dims, &shift);
        let y = self.g.node("Mul", &[&cat, &scale], &[], &format!("{p}.bn"));
        let y = self.g.node("Add", &[&y, &shift], &[], &format!("{p}.bn"));
        Ok(if relu {
            self.g.node("Relu", &[&y], &[], &format!("{p}.relu"))
        } else {
            y
        })
    }

    /// `x @ W^T + b` for a torch Linear with weight `[out, in]`.
    fn linear(
        &mut self,
        x: &str,
        p: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<String, ImportError> {
        let w = self.weight(&format!("{p}.weight"), &[outputs, inputs])?;
        let mut wt = vec![0f32; w.len()];
        for o in 0..outputs {
            for i in 0..inputs {
                wt[i * outputs + o] = w[o * inputs + i];
            }
        }
        let b = self.weight(&format!("{p}.bias"), &[outputs])?;
        let wt = self.g.const_f32(
            &format!("{p}.weight_t"),
            &[inputs as i64, outputs as i64],
            &wt,
        );
        let b = self
            .g
            .const_f32(&format!("{p}.bias"), &[outputs as i64], &b);
        let y = self.g.node("MatMul", &[x, &wt], &[], p);
        Ok(self.g.node("Add", &[&y, &b], &[], p))
    }

    /// Cosine similarities of each frame with the 101 around it, then a
    /// dense layer and ReLU: `[1,T,D]` (rows L2-normalised) → `[1,T,128]`.
    fn similarity_band(&mut self, x: &str, fc: &str) -> Result<String, ImportError> {
        let t = WINDOW as i64;
        let xt = self.g.node(
            "Transpose",
            &[x],
            &[("perm", Attr::Ints(vec![0, 2, 1]))],
            fc,
        );
        let sim = self.g.node("MatMul", &[x, &xt], &[], &format!("{fc}.sim"));
        let half = (LOOKUP as i64 - 1) / 2;
        let pads = self
            .g
            .const_i64(&format!("{fc}.pads"), &[6], &[0, 0, half, 0, 0, half]);
        let padded = self
            .g
            .node("Pad", &[&sim, &pads], &[], &format!("{fc}.pad"));
        let width = t + 2 * half;
        let flat_shape = self
            .g
            .const_i64(&format!("{fc}.flat"), &[2], &[1, t * width]);
        let flat = self.g.node(
            "Reshape",
            &[&padded, &flat_shape],
            &[],
            &format!("{fc}.flat"),
        );
        // Row t, columns t..t+101 of the padded matrix.
        let mut idx = Vec::with_capacity(WINDOW * LOOKUP);
        for row in 0..t {
            for k in 0..LOOKUP as i64 {
                idx.push(row * width + row + k);
            }
        }
        let idx = self
            .g
            .const_i64(&format!("{fc}.band"), &[t, LOOKUP as i64], &idx);
        let band = self.g.node(
            "Gather",
            &[&flat, &idx],
            &[("axis", Attr::Int(1))],
            &format!("{fc}.band"),
        );
        let y = self.linear(&band, fc, LOOKUP, 128)?;
        Ok(self.g.node("Relu", &[&y], &[], &format!("{fc}.relu")))
    }

    fn l2_normalise(&mut self, x: &str, hint: &str) -> String {
        let axes = [("axes", Attr::Ints(vec![2])), ("keepdims", Attr::Int(1))];
        let norm = self.g.node("ReduceL2", &[x], &axes, hint);
        let eps = self.g.const_f32(&format!("{hint}.eps"), &[], &[1e-12]);
        let norm = self.g.node("Max", &[&norm, &eps], &[], hint);
        self.g.node("Div", &[x, &norm], &[], hint)
    }

    fn frame_similarity(&mut self, features: &[(String, usize)]) -> Result<String, ImportError> {
        let mut means = Vec::new();
        for (f, _) in features {
            let axes = [("axes", Attr::Ints(vec![3, 4])), ("keepdims", Attr::Int(0))];
            means.push(self.g.node("ReduceMean", &[f], &axes, "frame_sim.mean"));
        }
        let refs: Vec<&str> = means.iter().map(String::as_str).collect();
        let cat = self
            .g
            .node("Concat", &refs, &[("axis", Attr::Int(1))], "frame_sim.cat");
        let x = self.g.node(
            "Transpose",
            &[&cat],
            &[("perm", Attr::Ints(vec![0, 2, 1]))],
            "frame_sim.ntc",
        );
        let channels: usize = features.iter().map(|(_, c)| c).sum();
        let x = self.linear(&x, "frame_sim_layer.projection", channels, 128)?;
        let x = self.l2_normalise(&x, "frame_sim.norm");
        self.similarity_band(&x, "frame_sim_layer.fc")
    }

    fn colour_similarity(&mut self, hist: &str) -> Result<String, ImportError> {
        self.similarity_band(hist, "color_hist_layer.fc")
    }
}
