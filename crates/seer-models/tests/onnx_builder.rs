//! The hand-written ONNX writer produces models ONNX Runtime accepts and
//! computes correctly.

use seer_onnx::{encode, Attr, DataType, Dim, GraphBuilder};
use seer_runtime::{Session, SessionOptions, Tensor};

#[test]
fn built_graph_runs_in_onnx_runtime() {
    seer_models::testing::init_runtime();
    let mut g = GraphBuilder::new("t");
    let x = g.input("x", DataType::Float, &[Dim::Fixed(1), Dim::named("n")]);
    let two = g.const_f32("two", &[1], &[2.0]);
    let y = g.node("Mul", &[&x, &two], &[], "y");
    let z = g.node("Transpose", &[&y], &[("perm", Attr::Ints(vec![1, 0]))], "z");
    g.output(&z, "out", DataType::Float, None);
    let bytes = encode(&g.finish());
    let mut s = Session::from_bytes("t", &bytes, &SessionOptions { threads: 1 }).unwrap();
    let out = s
        .run(&[Tensor::new(vec![1, 3], vec![1.0, 2.0, 3.0]).unwrap()])
        .unwrap();
    assert_eq!(out[0].shape, vec![3, 1]);
    assert_eq!(out[0].data, vec![2.0, 4.0, 6.0]);
}
