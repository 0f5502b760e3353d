//! The regions of `IOT_SetupDomain` and their host names: the one table of region ids, from
//! which the MQTT domain and the HTTPS pre-authentication host are spelled.

/// The regions of `iotx_cloud_domain_types_t` (values 0..=4; 5 is `IOTX_CLOUD_DOMAIN_MAX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// `IOTX_CLOUD_DOMAIN_SH` (0), the default.
    #[default]
    CnShanghai = 0,
    /// `IOTX_CLOUD_DOMAIN_SG` (1).
    ApSoutheast1 = 1,
    /// `IOTX_CLOUD_DOMAIN_JP` (2).
    ApNortheast1 = 2,
    /// `IOTX_CLOUD_DOMAIN_US` (3).
    UsWest1 = 3,
    /// `IOTX_CLOUD_DOMAIN_GER` (4).
    EuCentral1 = 4,
}

/// The names of one region.
struct RegionNames {
    id: &'static str,
    mqtt_domain: &'static str,
    auth_host: &'static str,
}

/// The names of the region `id` (a literal): both host names are spelled from it at compile
/// time, so a region is written once.
macro_rules! region_names {
    ($id:literal) => {
        RegionNames {
            id: $id,
            mqtt_domain: concat!("iot-as-mqtt.", $id, ".aliyuncs.com"),
            auth_host: concat!("iot-auth.", $id, ".aliyuncs.com"),
        }
    };
}

impl Region {
    /// All regions, in the order of their C values.
    pub const ALL: [Region; 5] = [
        Region::CnShanghai,
        Region::ApSoutheast1,
        Region::ApNortheast1,
        Region::UsWest1,
        Region::EuCentral1,
    ];

    /// The region table.
    const fn names(self) -> RegionNames {
        match self {
            Region::CnShanghai => region_names!("cn-shanghai"),
            Region::ApSoutheast1 => region_names!("ap-southeast-1"),
            Region::ApNortheast1 => region_names!("ap-northeast-1"),
            Region::UsWest1 => region_names!("us-west-1"),
            Region::EuCentral1 => region_names!("eu-central-1"),
        }
    }

    /// The region for a raw `iotx_cloud_domain_types_t` value, `None` when out of range.
    pub const fn from_raw(value: i32) -> Option<Region> {
        match value {
            0 => Some(Region::CnShanghai),
            1 => Some(Region::ApSoutheast1),
            2 => Some(Region::ApNortheast1),
            3 => Some(Region::UsWest1),
            4 => Some(Region::EuCentral1),
            _ => None,
        }
    }

    /// The C enum value.
    pub const fn as_raw(self) -> i32 {
        self as i32
    }

    /// The region id, e.g. `cn-shanghai`.
    pub const fn id(self) -> &'static str {
        self.names().id
    }

    /// The MQTT domain, without the product key: `iot-as-mqtt.<region>.aliyuncs.com`.
    pub const fn mqtt_domain(self) -> &'static str {
        self.names().mqtt_domain
    }

    /// The HTTPS pre-authentication host: `iot-auth.<region>.aliyuncs.com`.
    pub const fn auth_host(self) -> &'static str {
        self.names().auth_host
    }
}

/// MQTT domain for a raw region value (docs/v210-reference.md §5.1 step 4a); `None` out of range.
pub fn mqtt_domain(region: i32) -> Option<&'static str> {
    Region::from_raw(region).map(Region::mqtt_domain)
}

/// HTTPS auth host for a raw region value (docs/v210-reference.md §6); `None` out of range.
pub fn auth_host(region: i32) -> Option<&'static str> {
    Region::from_raw(region).map(Region::auth_host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn regions() {
        assert_eq!(mqtt_domain(0), Some("iot-as-mqtt.cn-shanghai.aliyuncs.com"));
        assert_eq!(
            mqtt_domain(1),
            Some("iot-as-mqtt.ap-southeast-1.aliyuncs.com")
        );
        assert_eq!(
            mqtt_domain(2),
            Some("iot-as-mqtt.ap-northeast-1.aliyuncs.com")
        );
        assert_eq!(mqtt_domain(3), Some("iot-as-mqtt.us-west-1.aliyuncs.com"));
        assert_eq!(
            mqtt_domain(4),
            Some("iot-as-mqtt.eu-central-1.aliyuncs.com")
        );
        assert_eq!(mqtt_domain(5), None);
        assert_eq!(mqtt_domain(-1), None);
        assert_eq!(mqtt_domain(i32::MAX), None);
        assert_eq!(auth_host(0), Some("iot-auth.cn-shanghai.aliyuncs.com"));
        assert_eq!(auth_host(1), Some("iot-auth.ap-southeast-1.aliyuncs.com"));
        assert_eq!(auth_host(2), Some("iot-auth.ap-northeast-1.aliyuncs.com"));
        assert_eq!(auth_host(3), Some("iot-auth.us-west-1.aliyuncs.com"));
        assert_eq!(auth_host(4), Some("iot-auth.eu-central-1.aliyuncs.com"));
        assert_eq!(auth_host(5), None);
        assert_eq!(auth_host(i32::MIN), None);
        for (i, r) in Region::ALL.iter().enumerate() {
            assert_eq!(r.as_raw(), i as i32);
            assert_eq!(Region::from_raw(i as i32), Some(*r));
            assert_eq!(
                r.mqtt_domain(),
                format!("iot-as-mqtt.{}.aliyuncs.com", r.id())
            );
            assert_eq!(r.auth_host(), format!("iot-auth.{}.aliyuncs.com", r.id()));
        }
        assert_eq!(Region::default(), Region::CnShanghai);
    }
}
