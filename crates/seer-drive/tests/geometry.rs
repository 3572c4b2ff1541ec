//! Distance from one camera on synthetic scenes rendered from a known
//! camera: road users of known size at 5–80 m, on a flat road and on a
//! road that rises 2° ahead. Boxes bound each object's projected 3D box
//! (its side shows off the axis), rounded to whole pixels as a detector
//! would report them.

use seer_core::geometry::Rect;
use seer_drive::{object_distance, stands_on_road, Camera, DistanceOptions};

const CAR: u32 = 2;
const TRUCK: u32 = 7;
const PERSON: u32 = 0;

/// A road user: class, true height, width and length (metres), lateral
/// position of its centre line.
struct Object {
    class: u32,
    height_m: f64,
    width_m: f64,
    length_m: f64,
    lateral_m: f64,
}

/// A car a little smaller than the prior, a truck a little larger, a person.
const OBJECTS: [Object; 3] = [
    Object {
        class: CAR,
        height_m: 1.45,
        width_m: 1.76,
        length_m: 4.4,
        lateral_m: 0.3,
    },
    Object {
        class: TRUCK,
        height_m: 3.3,
        width_m: 2.5,
        length_m: 8.5,
        lateral_m: -3.5,
    },
    Object {
        class: PERSON,
        height_m: 1.75,
        width_m: 0.5,
        length_m: 0.3,
        lateral_m: 3.6,
    },
];

fn camera() -> Camera {
    Camera::from_toml_str(
        "width = 1280\nheight = 720\nfocal_px = 1100.0\nmount_height_m = 1.4\npitch_deg = 1.0\n",
    )
    .unwrap()
}

/// The box of `object` whose rear face stands `z` metres ahead on a road
/// that rises at `slope_deg` from the camera onwards: the bounds of its
/// eight projected corners (an object off the axis shows its side), or
/// `None` when it leaves the frame.
fn render(camera: &Camera, object: &Object, z: f64, slope_deg: f64) -> Option<Rect> {
    render_raised(camera, object, z, slope_deg, 0.0)
}

/// [`render`] with the object lifted `raise_m` metres off the road.
fn render_raised(
    camera: &Camera,
    object: &Object,
    z: f64,
    slope_deg: f64,
    raise_m: f64,
) -> Option<Rect> {
    let rise = slope_deg.to_radians().tan();
    let (mut u1, mut v1, mut u2, mut v2) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for dz in [0.0, object.length_m] {
        let ground_y = -(z + dz) * rise - raise_m;
        for x in [
            object.lateral_m - object.width_m / 2.0,
            object.lateral_m + object.width_m / 2.0,
        ] {
            for y in [ground_y, ground_y - object.height_m] {
                let (u, v) = camera.project(x, y, z + dz)?;
                (u1, v1, u2, v2) = (u1.min(u), v1.min(v), u2.max(u), v2.max(v));
            }
        }
    }
    let (u1, u2, v1, v2) = (u1.round(), u2.round(), v1.round(), v2.round());
    let inside = u1 > 1.0
        && v1 > 1.0
        && u2 < f64::from(camera.width) - 1.0
        && v2 < f64::from(camera.height) - 1.0;
    inside.then(|| Rect::new(u1 as f32, v1 as f32, (u2 - u1) as f32, (v2 - v1) as f32))
}

/// Largest relative error (fused, ground only) over `distances`.
fn worst_errors(slope_deg: f64, distances: &[f64]) -> (f64, f64) {
    let camera = camera();
    let options = DistanceOptions::default();
    let (mut fused, mut ground) = (0.0f64, 0.0f64);
    for object in &OBJECTS {
        for &z in distances {
            let Some(bbox) = render(&camera, object, z, slope_deg) else {
                continue;
            };
            let d = object_distance(&camera, &bbox, object.class, &options).unwrap();
            let e = (d.distance_m - z).abs() / z;
            let g = d
                .ground
                .map(|g| (g.distance_m - z).abs() / z)
                .unwrap_or(f64::INFINITY);
            println!(
                "slope {slope_deg}° class {} at {z:>4} m: fused {:.2} m ({:+.1} %), ground {:?}, size {:?}, lateral {:.2} m",
                object.class,
                d.distance_m,
                100.0 * (d.distance_m - z) / z,
                d.ground.map(|g| (g.distance_m * 100.0).round() / 100.0),
                d.size.map(|s| (s.distance_m * 100.0).round() / 100.0),
                d.lateral_m,
            );
            fused = fused.max(e);
            ground = ground.max(g);
        }
    }
    (fused, ground)
}

#[test]
fn on_a_flat_road_the_distance_is_within_5_percent_to_40_m_and_10_percent_to_80_m() {
    let (near, _) = worst_errors(0.0, &[5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0]);
    let (far, _) = worst_errors(0.0, &[45.0, 50.0, 60.0, 70.0, 80.0]);
    println!(
        "flat road: worst error {:.1} % to 40 m, {:.1} % to 80 m",
        near * 100.0,
        far * 100.0
    );
    assert!(near <= 0.05, "{near}");
    assert!(far <= 0.10, "{far}");
}

#[test]
fn on_a_road_rising_2_degrees_the_size_prior_keeps_the_distance_sane() {
    let distances = [10.0, 20.0, 30.0, 40.0, 60.0, 80.0];
    let (fused, ground) = worst_errors(2.0, &distances);
    println!(
        "road rising 2°: worst error {:.1} % fused, {:.1} % from the ground plane alone",
        fused * 100.0,
        ground * 100.0
    );
    // The ground plane alone is far off (the bottom edge climbs towards the
    // horizon); the fusion leans on the size prior there.
    assert!(ground > 0.5, "{ground}");
    assert!(fused <= 0.15, "{fused}");
}

#[test]
fn the_lateral_offset_is_measured_on_the_road() {
    let camera = camera();
    let options = DistanceOptions::default();
    for object in &OBJECTS {
        let z = 20.0;
        let bbox = render(&camera, object, z, 0.0).unwrap();
        let d = object_distance(&camera, &bbox, object.class, &options).unwrap();
        assert!(
            (d.lateral_m - object.lateral_m).abs() < 0.15,
            "{}: {}",
            object.class,
            d.lateral_m
        );
    }
}

#[test]
fn boxes_cut_by_the_frame_edge_do_not_use_the_cut_side() {
    let camera = camera();
    let options = DistanceOptions::default();
    // A car close on the left, its box cut by the left border: the width
    // cue is dropped, height and ground remain.
    let object = &OBJECTS[0];
    let (u2, v2) = camera.project(-2.0 + 0.88, 0.0, 6.0).unwrap();
    let (_, v1) = camera.project(0.0, -object.height_m, 6.0).unwrap();
    let bbox = Rect::new(
        0.0,
        v1.round() as f32,
        u2.round() as f32,
        (v2 - v1).round() as f32,
    );
    let d = object_distance(&camera, &bbox, CAR, &options).unwrap();
    assert!((d.distance_m - 6.0).abs() / 6.0 < 0.05, "{d:?}");
    // A class without a size prior still gets the ground estimate.
    let sign = object_distance(&camera, &bbox, 9, &options).unwrap();
    assert!(sign.size.is_none() && sign.ground.is_some());
}

/// Whether the box of `object` rendered at `z` on a road of `slope_deg`,
/// lifted `raise_m`, passes the road plausibility check (`None`: not in
/// the frame).
fn on_road(object: &Object, class: u32, z: f64, slope_deg: f64, raise_m: f64) -> Option<bool> {
    let camera = camera();
    let bbox = render_raised(&camera, object, z, slope_deg, raise_m)?;
    let d = object_distance(&camera, &bbox, class, &DistanceOptions::default())?;
    let u = f64::from(bbox.x) + f64::from(bbox.width) / 2.0;
    Some(stands_on_road(&camera, u, f64::from(bbox.bottom()), &d))
}

#[test]
fn road_users_stand_on_the_road_and_markings_or_pictures_do_not() {
    let distances = [5.0, 10.0, 20.0, 30.0, 40.0, 60.0, 80.0];
    // Every road user, on a flat road and on roads rising or falling 2–3°.
    for object in &OBJECTS {
        for slope in [-3.0, -2.0, 0.0, 2.0, 3.0] {
            for z in distances {
                if let Some(ok) = on_road(object, object.class, z, slope, 0.0) {
                    assert!(ok, "class {} at {z} m, slope {slope}°", object.class);
                }
            }
        }
    }
    // A lane dash (flat on the road, 15 cm wide, 3 m long) taken for a car.
    let dash = Object {
        class: CAR,
        height_m: 0.02,
        width_m: 0.15,
        length_m: 3.0,
        lateral_m: 1.8,
    };
    // From 30 m on its box is a few pixels and its size says nothing.
    let mut dashes = 0;
    for z in [6.0, 10.0, 15.0, 20.0] {
        if let Some(ok) = on_road(&dash, CAR, z, 0.0, 0.0) {
            assert!(!ok, "a dash at {z} m passes as a car");
            dashes += 1;
        }
    }
    assert!(dashes >= 4, "{dashes}");
    // A car on a billboard 5 m above the road, and a person painted on a
    // bridge 6 m up.
    for z in [25.0, 40.0, 60.0] {
        assert_eq!(
            on_road(&OBJECTS[0], CAR, z, 0.0, 5.0),
            Some(false),
            "car at {z} m"
        );
        assert_eq!(
            on_road(&OBJECTS[2], PERSON, z, 0.0, 6.0),
            Some(false),
            "person at {z} m"
        );
    }
}
