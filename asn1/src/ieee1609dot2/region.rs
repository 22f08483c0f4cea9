//! Geometry of 1609.2 regions (clause 6.4.17 ff.): whether a location lies in a
//! certificate's region (receivers check a message's generation location) and
//! whether one region lies inside another (issuance linting, chain consistency).
//!
//! Positions are 1/10 micro-degrees in the types; the geometry works in degrees
//! on a sphere of the Earth's mean radius, which is well within the accuracy of
//! V2X positioning.

use super::{GeographicRegion, IdentifiedRegion, ThreeDLocation, TwoDLocation};

/// Whether a message's generation location lies in a certificate's region
/// (`None` when the region is identified by country or region codes).
pub fn location_in(loc: &ThreeDLocation, region: &GeographicRegion) -> Option<bool> {
    let p = (
        f64::from(loc.latitude.0) / 1e7,
        f64::from(loc.longitude.0) / 1e7,
    );
    point_in(p, region)
}

const EARTH_RADIUS_M: f64 = 6_371_000.0;

fn deg(l: &TwoDLocation) -> (f64, f64) {
    (
        f64::from(l.latitude.0) / 1e7,
        f64::from(l.longitude.0) / 1e7,
    )
}

/// Great-circle distance in meters (haversine).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// `n` points on a circle of `radius` meters around `c` (degrees).
fn circle_points(c: (f64, f64), radius: f64, n: usize) -> Vec<(f64, f64)> {
    let d = radius / EARTH_RADIUS_M;
    let (lat1, lon1) = (c.0.to_radians(), c.1.to_radians());
    (0..n)
        .map(|k| {
            let b = (k as f64) * core::f64::consts::TAU / (n as f64);
            let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * b.cos()).asin();
            let lon2 =
                lon1 + (b.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
            (lat2.to_degrees(), lon2.to_degrees())
        })
        .collect()
}

fn in_polygon(p: (f64, f64), poly: &[TwoDLocation]) -> bool {
    // Ray casting in the (longitude, latitude) plane; a point on an edge counts as inside.
    let pts: Vec<(f64, f64)> = poly.iter().map(deg).collect();
    let n = pts.len();
    let mut inside = false;
    for k in 0..n {
        let (a, b) = (pts[k], pts[(k + 1) % n]);
        let cross = (b.1 - a.1) * (p.0 - a.0) - (b.0 - a.0) * (p.1 - a.1);
        let on_segment = cross.abs() < 1e-12
            && p.0 >= a.0.min(b.0)
            && p.0 <= a.0.max(b.0)
            && p.1 >= a.1.min(b.1)
            && p.1 <= a.1.max(b.1);
        if on_segment {
            return true;
        }
        if (a.0 > p.0) != (b.0 > p.0) {
            let lon = a.1 + (p.0 - a.0) * (b.1 - a.1) / (b.0 - a.0);
            if p.1 < lon {
                inside = !inside;
            }
        }
    }
    inside
}

fn in_rect(p: (f64, f64), r: &scms_asn1::ieee1609dot2::RectangularRegion) -> bool {
    let (n, w) = deg(&r.north_west);
    let (s, e) = deg(&r.south_east);
    p.0 <= n && p.0 >= s && p.1 >= w && p.1 <= e
}

/// Whether a point (degrees) is in a geometric region (`None` for identified
/// regions, which need a boundary database).
pub fn point_in(p: (f64, f64), r: &GeographicRegion) -> Option<bool> {
    Some(match r {
        GeographicRegion::CircularRegion(c) => {
            distance_m(p, deg(&c.center)) <= f64::from(c.radius) + 0.5
        }
        GeographicRegion::RectangularRegion(rs) => rs.iter().any(|r| in_rect(p, r)),
        GeographicRegion::PolygonalRegion(poly) => in_polygon(p, &poly.0),
        _ => return None,
    })
}

/// Points that stand for a geometric region: the polygon's vertices, the
/// rectangles' corners and edge midpoints, the circle's center and 32 points of
/// its boundary.
fn sample_points(r: &GeographicRegion) -> Option<Vec<(f64, f64)>> {
    Some(match r {
        GeographicRegion::CircularRegion(c) => {
            let mut v = circle_points(deg(&c.center), f64::from(c.radius), 32);
            v.push(deg(&c.center));
            v
        }
        GeographicRegion::RectangularRegion(rs) => rs
            .iter()
            .flat_map(|r| {
                let (n, w) = deg(&r.north_west);
                let (s, e) = deg(&r.south_east);
                let (m, c) = ((n + s) / 2.0, (w + e) / 2.0);
                [
                    (n, w),
                    (n, e),
                    (s, w),
                    (s, e),
                    (n, c),
                    (s, c),
                    (m, w),
                    (m, e),
                ]
            })
            .collect(),
        GeographicRegion::PolygonalRegion(p) => p.0.iter().map(deg).collect(),
        _ => return None,
    })
}

fn identified_within(s: &IdentifiedRegion, issuer: &[IdentifiedRegion]) -> bool {
    use IdentifiedRegion as I;
    issuer.iter().any(|i| match (s, i) {
        (I::CountryOnly(a), I::CountryOnly(b)) => a == b,
        (I::CountryAndRegions(a), I::CountryOnly(b)) => a.country_only == *b,
        (I::CountryAndSubregions(a), I::CountryOnly(b)) => a.country_only == *b,
        (I::CountryAndRegions(a), I::CountryAndRegions(b)) => {
            a.country_only == b.country_only && a.regions.iter().all(|r| b.regions.contains(r))
        }
        (I::CountryAndSubregions(a), I::CountryAndRegions(b)) => {
            a.country_only == b.country_only
                && a.region_and_subregions
                    .iter()
                    .all(|r| b.regions.contains(&r.region))
        }
        (I::CountryAndSubregions(a), I::CountryAndSubregions(b)) => {
            a.country_only == b.country_only
                && a.region_and_subregions.iter().all(|r| {
                    b.region_and_subregions.iter().any(|q| {
                        q.region == r.region
                            && r.subregions.iter().all(|x| q.subregions.contains(x))
                    })
                })
        }
        _ => false,
    })
}

/// Whether region `s` lies inside region `i`; `Err` says why not.
///
/// Exact for a circle in a circle (center distance + radius), rectangles in
/// rectangles (each subject rectangle inside one issuer rectangle) and
/// identified regions (a subset of countries / regions / subregions). Other
/// geometric pairs are checked on sample points of the subject (polygon
/// vertices, rectangle corners and edge midpoints, 32 boundary points of a
/// circle) being inside the issuer region: exact for convex issuer regions,
/// an approximation otherwise. An identified region is never proven inside a
/// geometric one nor the other way round (that needs a boundary database), so
/// such a pair is refused. Rectangles crossing the antimeridian are not
/// supported.
pub fn region_within(s: &GeographicRegion, i: &GeographicRegion) -> Result<(), String> {
    use GeographicRegion as G;
    match (s, i) {
        (G::Unknown(_), _) | (_, G::Unknown(_)) => Err("unknown region type".into()),
        (G::IdentifiedRegion(sr), G::IdentifiedRegion(ir)) => {
            for (k, r) in sr.iter().enumerate() {
                if !identified_within(r, ir) {
                    return Err(format!(
                        "identified region [{k}] not within the issuer's identified regions"
                    ));
                }
            }
            Ok(())
        }
        (G::IdentifiedRegion(_), _) | (_, G::IdentifiedRegion(_)) => {
            Err("an identified region and a geometric region cannot be compared".into())
        }
        (G::CircularRegion(a), G::CircularRegion(b)) => {
            let d = distance_m(deg(&a.center), deg(&b.center));
            if d + f64::from(a.radius) <= f64::from(b.radius) + 0.5 {
                Ok(())
            } else {
                Err(format!(
                    "circle (radius {} m, {:.0} m from the issuer's center) not within the issuer's circle (radius {} m)",
                    a.radius, d, b.radius
                ))
            }
        }
        (G::RectangularRegion(a), G::RectangularRegion(b)) => {
            for (k, r) in a.iter().enumerate() {
                let (n, w) = deg(&r.north_west);
                let (so, e) = deg(&r.south_east);
                if !b.iter().any(|q| in_rect((n, w), q) && in_rect((so, e), q)) {
                    return Err(format!(
                        "rectangle [{k}] not within one of the issuer's rectangles"
                    ));
                }
            }
            Ok(())
        }
        _ => {
            let pts = sample_points(s).ok_or("unsupported region")?;
            for p in pts {
                if point_in(p, i) != Some(true) {
                    return Err(format!(
                        "point ({:.6}, {:.6}) of the region is outside the issuer's region",
                        p.0, p.1
                    ));
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CircularRegion, NinetyDegreeInt, OneEightyDegreeInt, RectangularRegion};
    use super::*;

    fn at(lat: f64, lon: f64) -> TwoDLocation {
        TwoDLocation {
            latitude: NinetyDegreeInt((lat * 1e7) as i32),
            longitude: OneEightyDegreeInt((lon * 1e7) as i32),
        }
    }

    fn loc3(lat: f64, lon: f64) -> ThreeDLocation {
        let p = at(lat, lon);
        ThreeDLocation {
            latitude: p.latitude,
            longitude: p.longitude,
            elevation: 0,
        }
    }

    #[test]
    fn circle_contains_points_by_great_circle_distance() {
        // Detroit, 10 km.
        let c = GeographicRegion::CircularRegion(CircularRegion {
            center: at(42.3314, -83.0458),
            radius: 10_000,
        });
        assert_eq!(location_in(&loc3(42.3314, -83.0458), &c), Some(true));
        // ~8.9 km north (0.08 degrees of latitude).
        assert_eq!(location_in(&loc3(42.4114, -83.0458), &c), Some(true));
        // ~11.1 km north.
        assert_eq!(location_in(&loc3(42.4314, -83.0458), &c), Some(false));
        // One degree of latitude is ~111.2 km.
        let d = distance_m((0.0, 0.0), (1.0, 0.0));
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
    }

    #[test]
    fn rectangles_and_containment() {
        let big = GeographicRegion::RectangularRegion(vec![RectangularRegion {
            north_west: at(45.0, -90.0),
            south_east: at(40.0, -80.0),
        }]);
        let small = GeographicRegion::CircularRegion(CircularRegion {
            center: at(42.0, -85.0),
            radius: 50_000,
        });
        let outside = GeographicRegion::CircularRegion(CircularRegion {
            center: at(40.1, -85.0),
            radius: 50_000,
        });
        assert_eq!(location_in(&loc3(42.0, -85.0), &big), Some(true));
        assert_eq!(location_in(&loc3(46.0, -85.0), &big), Some(false));
        assert!(region_within(&small, &big).is_ok());
        assert!(region_within(&outside, &big).is_err());
        assert!(region_within(&big, &small).is_err());
    }
}
