//! The PyTorch checkpoint reader on hand-built `.pth` files: the same opcode
//! sequence `torch.save(state_dict)` writes (protocol 2, OrderedDict,
//! `_rebuild_tensor_v2` over persistent storage ids, BUILD with `_metadata`).

use std::io::Write;

use seer_models::import::pytorch::{pickle, Checkpoint, DType};

/// Pickle writer for the handful of opcodes the test needs.
struct P(Vec<u8>);

impl P {
    fn op(&mut self, b: u8) -> &mut Self {
        self.0.push(b);
        self
    }
    fn global(&mut self, module: &str, name: &str) -> &mut Self {
        self.0.push(b'c');
        self.0
            .extend_from_slice(format!("{module}\n{name}\n").as_bytes());
        self
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.0.push(b'X');
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    fn int(&mut self, v: u8) -> &mut Self {
        self.0.extend_from_slice(&[b'K', v]);
        self
    }
    fn put(&mut self, k: u8) -> &mut Self {
        self.0.extend_from_slice(&[b'q', k]);
        self
    }
    fn get(&mut self, k: u8) -> &mut Self {
        self.0.extend_from_slice(&[b'h', k]);
        self
    }
    fn tuple(&mut self, xs: &[u8]) -> &mut Self {
        self.op(b'(');
        for &x in xs {
            self.int(x);
        }
        self.op(b't')
    }
    /// `_rebuild_tensor_v2(pid(storage key), offset, size, stride, False, OrderedDict())`.
    fn tensor(
        &mut self,
        key: &str,
        numel: u8,
        offset: u8,
        size: &[u8],
        stride: &[u8],
    ) -> &mut Self {
        self.global("torch._utils", "_rebuild_tensor_v2").op(b'(');
        self.op(b'(')
            .str("storage")
            .global("torch", "FloatStorage")
            .str(key)
            .str("cpu")
            .int(numel)
            .op(b't');
        self.op(b'Q').int(offset).tuple(size).tuple(stride).op(0x89);
        self.get(0).op(b')').op(b'R');
        self.op(b't').op(b'R')
    }
}

fn state_dict_pickle() -> Vec<u8> {
    let mut p = P(vec![0x80, 2]);
    p.global("collections", "OrderedDict")
        .put(0)
        .op(b')')
        .op(b'R')
        .put(1)
        .op(b'(');
    // "w": 2×3 contiguous view of storage 0; "wt": its transpose (3×2, strides 1,3).
    p.str("w").tensor("0", 6, 0, &[2, 3], &[3, 1]);
    p.str("wt").tensor("0", 6, 0, &[3, 2], &[1, 3]);
    // "b": 2 values at offset 1 of storage 1.
    p.str("b").tensor("1", 3, 1, &[2], &[1]);
    p.op(b'u');
    p.op(b'}')
        .str("_metadata")
        .get(0)
        .op(b')')
        .op(b'R')
        .op(b's')
        .op(b'b')
        .op(b'.');
    p.0
}

fn f32_bytes(xs: &[f32]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn write_pth(
    dir: &std::path::Path,
    pkl: &[u8],
    storages: &[(&str, Vec<u8>)],
) -> std::path::PathBuf {
    let path = dir.join("model.pth");
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("archive/data.pkl", opts).unwrap();
    zip.write_all(pkl).unwrap();
    for (key, bytes) in storages {
        zip.start_file(format!("archive/data/{key}"), opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

#[test]
fn reads_tensors_views_and_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pth(
        dir.path(),
        &state_dict_pickle(),
        &[
            ("0", f32_bytes(&[1., 2., 3., 4., 5., 6.])),
            ("1", f32_bytes(&[9., 7., 8.])),
        ],
    );
    let ckpt = Checkpoint::open(&path).unwrap();
    let names: Vec<&str> = ckpt.tensors().keys().map(String::as_str).collect();
    assert_eq!(names, ["b", "w", "wt"]);
    let w = &ckpt.tensors()["w"];
    assert_eq!(
        (w.dtype, w.shape.as_slice(), w.strides.as_slice()),
        (DType::F32, &[2, 3][..], &[3, 1][..])
    );

    assert_eq!(ckpt.tensor("w").unwrap().data, [1., 2., 3., 4., 5., 6.]);
    // The transposed view reads column by column.
    let wt = ckpt.tensor("wt").unwrap();
    assert_eq!(wt.shape, [3, 2]);
    assert_eq!(wt.data, [1., 4., 2., 5., 3., 6.]);
    assert_eq!(ckpt.tensor("b").unwrap().data, [7., 8.]);
}

#[test]
fn short_storage_is_reported_as_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pth(
        dir.path(),
        &state_dict_pickle(),
        &[
            ("0", f32_bytes(&[1., 2., 3., 4., 5.])),
            ("1", f32_bytes(&[9., 7., 8.])),
        ],
    );
    let err = Checkpoint::open(&path).unwrap_err().to_string();
    assert!(err.contains("truncated") && err.contains("'w"), "{err}");
    assert!(err.contains("model.pth"), "{err}");
}

#[test]
fn missing_storage_and_not_a_checkpoint_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pth(
        dir.path(),
        &state_dict_pickle(),
        &[("0", f32_bytes(&[0.; 6]))],
    );
    let err = Checkpoint::open(&path).unwrap_err().to_string();
    assert!(
        err.contains("archive/data/1") && err.contains("missing"),
        "{err}"
    );

    let junk = dir.path().join("junk.pth");
    std::fs::write(&junk, b"not a zip").unwrap();
    let err = Checkpoint::open(&junk).unwrap_err().to_string();
    assert!(
        err.contains("junk.pth") && err.contains("not a PyTorch zip checkpoint"),
        "{err}"
    );
}

#[test]
fn pickle_errors_say_where() {
    let full = state_dict_pickle();
    // Cut inside the stream: the reader reports an early end, never panics.
    for cut in [1, 10, full.len() / 2, full.len() - 1] {
        assert!(pickle::read(&full[..cut]).is_err(), "cut at {cut}");
    }
    let err = pickle::read(&[0x80, 2, 0xff]).unwrap_err().to_string();
    assert!(err.contains("0xff") && err.contains("byte 2"), "{err}");
}
