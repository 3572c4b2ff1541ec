//! The camera model: a pinhole camera at a known height above a flat road,
//! pitched about its horizontal axis, read from `camera.toml`.
//!
//! World coordinates are metres with the origin on the road under the
//! camera: `x` to the right, `y` down (the road is `y = 0`, the camera at
//! `y = -mount_height_m`), `z` forward along the road. Image coordinates
//! are pixels, `u` to the right and `v` down.

use crate::DriveError;
use serde::Deserialize;
use std::path::Path;

/// A calibrated camera for frames of `width`×`height` pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// Frame width the values refer to, pixels.
    pub width: u32,
    /// Frame height the values refer to, pixels.
    pub height: u32,
    /// Horizontal focal length, pixels.
    pub focal_x_px: f64,
    /// Vertical focal length, pixels (equal to the horizontal one unless
    /// the frame was scaled unevenly).
    pub focal_y_px: f64,
    /// Principal point, pixels from the left.
    pub cx: f64,
    /// Principal point, pixels from the top.
    pub cy: f64,
    /// Height of the camera above the road, metres.
    pub mount_height_m: f64,
    /// Pitch, degrees; positive = looking down.
    pub pitch_deg: f64,
}

/// `camera.toml` as written by a user (all lengths in metres, angles in
/// degrees); exactly one of `focal_px` and `hfov_deg`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CameraToml {
    width: u32,
    height: u32,
    focal_px: Option<f64>,
    hfov_deg: Option<f64>,
    cx: Option<f64>,
    cy: Option<f64>,
    mount_height_m: f64,
    #[serde(default)]
    pitch_deg: f64,
}

/// A point on the road, metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroundPoint {
    /// Distance ahead along the road.
    pub forward_m: f64,
    /// Offset to the right of the camera.
    pub lateral_m: f64,
}

fn bad(key: &'static str, value: f64, expected: &'static str) -> DriveError {
    DriveError::CameraValue {
        key,
        value: value.to_string(),
        expected,
    }
}

impl Camera {
    /// The camera of the shared 960×540 dashcam clips (the default),
    /// measured on their road markings: the dashed lines' 12.2 m period
    /// (3 m dash, 9 m gap, US highways) seen at rows 462, 366, 344 and 335
    /// puts the horizon at row 312 and the focal length times the height at
    /// about 990 px·m; the 3.66 m lane spanning 438 px at row 462 gives the
    /// height, 1.25 m, hence an 800 px focal length (62° field of view).
    pub fn shared_clip_preset() -> Camera {
        let focal = 800.0;
        let cy = 270.0;
        let horizon_row = 312.0;
        Camera {
            width: 960,
            height: 540,
            focal_x_px: focal,
            focal_y_px: focal,
            cx: 480.0,
            cy,
            mount_height_m: 1.25,
            // The horizon lies where a ray is level: cy - f·tan(pitch).
            pitch_deg: ((cy - horizon_row) / focal).atan().to_degrees(),
        }
    }

    /// Parses a camera description (see the module documentation). Unknown
    /// keys, missing keys and impossible values are errors naming the key.
    pub fn from_toml_str(text: &str) -> Result<Camera, DriveError> {
        let file: CameraToml =
            toml::from_str(text).map_err(|source| DriveError::CameraSyntax { source })?;
        if file.width == 0 {
            return Err(bad("width", 0.0, "use the frame width in pixels"));
        }
        if file.height == 0 {
            return Err(bad("height", 0.0, "use the frame height in pixels"));
        }
        let focal = match (file.focal_px, file.hfov_deg) {
            (Some(_), Some(_)) => {
                return Err(DriveError::CameraValue {
                    key: "hfov_deg",
                    value: "given together with focal_px".into(),
                    expected: "give focal_px or hfov_deg, not both",
                })
            }
            (None, None) => {
                return Err(DriveError::CameraValue {
                    key: "focal_px",
                    value: "missing".into(),
                    expected: "give focal_px (pixels) or hfov_deg (degrees)",
                })
            }
            (Some(f), None) => {
                if !(f.is_finite() && f > 0.0) {
                    return Err(bad("focal_px", f, "use a focal length above 0 pixels"));
                }
                f
            }
            (None, Some(hfov)) => {
                if !(hfov.is_finite() && hfov > 1.0 && hfov < 179.0) {
                    return Err(bad(
                        "hfov_deg",
                        hfov,
                        "use a field of view between 1 and 179 degrees",
                    ));
                }
                f64::from(file.width) / 2.0 / (hfov.to_radians() / 2.0).tan()
            }
        };
        let cx = file.cx.unwrap_or(f64::from(file.width) / 2.0);
        let cy = file.cy.unwrap_or(f64::from(file.height) / 2.0);
        if !(cx.is_finite() && (0.0..=f64::from(file.width)).contains(&cx)) {
            return Err(bad("cx", cx, "use a column inside the frame"));
        }
        if !(cy.is_finite() && (0.0..=f64::from(file.height)).contains(&cy)) {
            return Err(bad("cy", cy, "use a row inside the frame"));
        }
        let h = file.mount_height_m;
        if !(h.is_finite() && h > 0.1 && h < 10.0) {
            return Err(bad(
                "mount_height_m",
                h,
                "use the camera's height above the road, 0.1 to 10 metres",
            ));
        }
        let p = file.pitch_deg;
        if !(p.is_finite() && p.abs() < 45.0) {
            return Err(bad(
                "pitch_deg",
                p,
                "use a pitch between -45 and 45 degrees",
            ));
        }
        Ok(Camera {
            width: file.width,
            height: file.height,
            focal_x_px: focal,
            focal_y_px: focal,
            cx,
            cy,
            mount_height_m: h,
            pitch_deg: p,
        })
    }

    /// Reads and parses a `camera.toml` file (at most 64 KiB).
    pub fn from_file(path: &Path) -> Result<Camera, DriveError> {
        use std::io::Read;
        let io = |source| DriveError::CameraFile {
            path: path.to_path_buf(),
            source,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(io)?
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(io)?;
        Camera::from_toml_str(&text)
    }

    /// The same camera for frames of `width`×`height` pixels (the frame was
    /// resized from the calibrated size; each axis scales on its own).
    pub fn scaled_to(&self, width: u32, height: u32) -> Camera {
        let sx = f64::from(width) / f64::from(self.width);
        let sy = f64::from(height) / f64::from(self.height);
        Camera {
            width,
            height,
            focal_x_px: self.focal_x_px * sx,
            focal_y_px: self.focal_y_px * sy,
            cx: self.cx * sx,
            cy: self.cy * sy,
            ..*self
        }
    }

    /// The image row of the horizon (where level rays land), pixels.
    pub fn horizon_row(&self) -> f64 {
        self.cy - self.focal_y_px * self.pitch_deg.to_radians().tan()
    }

    /// The direction in world coordinates of the ray through pixel
    /// (`u`, `v`), not normalised.
    pub(crate) fn ray(&self, u: f64, v: f64) -> [f64; 3] {
        let (s, c) = self.pitch_deg.to_radians().sin_cos();
        let xc = (u - self.cx) / self.focal_x_px;
        let yc = (v - self.cy) / self.focal_y_px;
        [xc, yc * c + s, -yc * s + c]
    }

    /// Where the ray through pixel (`u`, `v`) meets a flat road; `None` at
    /// or above the horizon.
    pub fn ground_point(&self, u: f64, v: f64) -> Option<GroundPoint> {
        let [dx, dy, dz] = self.ray(u, v);
        if dy <= 1e-9 {
            return None;
        }
        let t = self.mount_height_m / dy;
        let forward = t * dz;
        (forward > 0.0).then_some(GroundPoint {
            forward_m: forward,
            lateral_m: t * dx,
        })
    }

    /// Lateral offset (metres, right positive) of the point seen at column
    /// `u` and row `v` when it is `forward_m` metres ahead.
    pub fn lateral_at(&self, u: f64, v: f64, forward_m: f64) -> f64 {
        let [dx, _, dz] = self.ray(u, v);
        if dz.abs() < 1e-9 {
            return 0.0;
        }
        forward_m * dx / dz
    }

    /// The pixel (`u`, `v`) where world point (`x`, `y`, `z`) (metres; `y`
    /// down, the road at 0) is seen; `None` behind the camera.
    pub fn project(&self, x: f64, y: f64, z: f64) -> Option<(f64, f64)> {
        let (s, c) = self.pitch_deg.to_radians().sin_cos();
        let ry = y + self.mount_height_m;
        let xc = x;
        let yc = ry * c - z * s;
        let zc = ry * s + z * c;
        (zc > 1e-6).then(|| {
            (
                self.cx + self.focal_x_px * xc / zc,
                self.cy + self.focal_y_px * yc / zc,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "width = 960\nheight = 540\nfocal_px = 1000.0\ncx = 480.0\ncy = 270.0\nmount_height_m = 1.3\npitch_deg = 2.0\n";

    #[test]
    fn a_point_on_the_road_projects_and_back() {
        let cam = Camera::from_toml_str(FILE).unwrap();
        for (x, z) in [(0.0, 5.0), (-3.5, 20.0), (1.8, 80.0)] {
            let (u, v) = cam.project(x, 0.0, z).unwrap();
            let g = cam.ground_point(u, v).unwrap();
            assert!((g.forward_m - z).abs() < 1e-6 * z, "{g:?} vs {z}");
            assert!((g.lateral_m - x).abs() < 1e-6 * z.max(1.0), "{g:?} vs {x}");
        }
        // Looking down 2°: the horizon is above the centre row.
        assert!((cam.horizon_row() - (270.0 - 1000.0 * 2f64.to_radians().tan())).abs() < 1e-9);
        assert!(cam.ground_point(480.0, cam.horizon_row() - 1.0).is_none());
    }

    #[test]
    fn a_field_of_view_gives_the_focal_length_and_the_centre_is_the_default() {
        let cam = Camera::from_toml_str(
            "width = 1242\nheight = 375\nhfov_deg = 90.0\nmount_height_m = 1.65\n",
        )
        .unwrap();
        assert!((cam.focal_x_px - 621.0).abs() < 1e-9);
        assert_eq!((cam.cx, cam.cy), (621.0, 187.5));
        assert_eq!(cam.pitch_deg, 0.0);
    }

    #[test]
    fn a_scaled_frame_scales_the_camera() {
        let cam = Camera::from_toml_str(FILE).unwrap();
        let half = cam.scaled_to(480, 270);
        let (u, v) = cam.project(1.0, 0.0, 30.0).unwrap();
        let (hu, hv) = half.project(1.0, 0.0, 30.0).unwrap();
        assert!((hu - u / 2.0).abs() < 1e-9 && (hv - v / 2.0).abs() < 1e-9);
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases = [
            (
                "mount_height_m = 1.3",
                "mount_height_m = -1.0",
                "mount_height_m",
            ),
            ("focal_px = 1000.0", "focal_px = 0.0", "focal_px"),
            ("pitch_deg = 2.0", "pitch_deg = 80.0", "pitch_deg"),
            ("cx = 480.0", "cx = 5000.0", "cx"),
            ("focal_px = 1000.0", "hfov_deg = 200.0", "hfov_deg"),
            (
                "focal_px = 1000.0",
                "focal_px = 1000.0\nhfov_deg = 60.0",
                "hfov_deg",
            ),
            ("focal_px = 1000.0", "", "focal_px"),
        ];
        for (from, to, key) in cases {
            let text = FILE.replace(from, to);
            let error = Camera::from_toml_str(&text).unwrap_err();
            assert!(error.to_string().contains(key), "{to}: {error}");
        }
        let error = Camera::from_toml_str(&format!("{FILE}roll_deg = 1.0\n")).unwrap_err();
        assert!(error.to_string().contains("roll_deg"), "{error}");
        let error = Camera::from_toml_str("width = 960\n").unwrap_err();
        assert!(error.to_string().contains("height"), "{error}");
    }
}
