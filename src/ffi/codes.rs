//! The V2.10 return codes iotmqtt produces (`iotx_err_t`, docs/v210-reference.md §2.9), in one
//! place, and the one table from the typed errors below the C boundary to them.

use crate::ca::CaError;
use crate::driver::ClientError;
use crate::net_error::NetError;
use crate::setup::SetupError;

pub const SUCCESS_RETURN: i32 = 0;
pub const FAIL_RETURN: i32 = -1;
pub const NULL_VALUE_ERROR: i32 = -2;
pub const MQTT_NETWORK_ERROR: i32 = -14;
pub const MQTT_PUBLISH_QOS_ERROR: i32 = -20;
pub const MQTT_PUBLISH_PACKET_ERROR: i32 = -21;
pub const MQTT_UNSUBSCRIBE_PACKET_ERROR: i32 = -22;
pub const MQTT_SUBSCRIBE_PACKET_ERROR: i32 = -26;
pub const MQTT_STATE_ERROR: i32 = -27;
pub const MQTT_NETWORK_CONNECT_ERROR: i32 = -28;
pub const MQTT_CONNECT_PACKET_ERROR: i32 = -30;
pub const MQTT_CONNECT_ERROR: i32 = -33;
pub const MQTT_CONNACK_NOT_AUTHORIZED_ERROR: i32 = -34;
pub const MQTT_CONNACK_BAD_USERDATA_ERROR: i32 = -35;
pub const MQTT_CONNACK_SERVER_UNAVAILABLE_ERROR: i32 = -36;
pub const MQTT_CONNACK_IDENTIFIER_REJECTED_ERROR: i32 = -37;
pub const MQTT_CONANCK_UNACCEPTABLE_PROTOCOL_VERSION_ERROR: i32 = -38;
pub const MQTT_CONNACK_UNKNOWN_ERROR: i32 = -39;
pub const MQTT_TOPIC_FORMAT_ERROR: i32 = -41;
pub const MQTT_PUSH_TO_LIST_ERROR: i32 = -42;
pub const ERROR_CERT_VERIFY_FAIL: i32 = -309;

/// An error from below the C boundary, for [`code`].
pub enum Failure {
    Client(ClientError),
    Ca(CaError),
    Setup(SetupError),
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Self {
        Failure::Client(error)
    }
}

impl From<NetError> for Failure {
    fn from(error: NetError) -> Self {
        Failure::Client(error.into())
    }
}

impl From<CaError> for Failure {
    fn from(error: CaError) -> Self {
        Failure::Ca(error)
    }
}

impl From<SetupError> for Failure {
    fn from(error: SetupError) -> Self {
        Failure::Setup(error)
    }
}

/// The V2.10 code for a failure: the one place typed errors become `iotx_err_t` values.
pub fn code(failure: Failure) -> i32 {
    match failure {
        Failure::Client(error) => match error {
            ClientError::NoResources | ClientError::Reauthentication => FAIL_RETURN,
            ClientError::NotConnected | ClientError::YieldRunning => MQTT_STATE_ERROR,
            ClientError::InvalidTopic => MQTT_TOPIC_FORMAT_ERROR,
            ClientError::ConnectTooLarge => MQTT_CONNECT_PACKET_ERROR,
            ClientError::PublishTooLarge => MQTT_PUBLISH_PACKET_ERROR,
            ClientError::SubscribeTooLarge => MQTT_SUBSCRIBE_PACKET_ERROR,
            ClientError::UnsubscribeTooLarge => MQTT_UNSUBSCRIBE_PACKET_ERROR,
            ClientError::PendingFull | ClientError::PendingNoMemory => MQTT_PUSH_TO_LIST_ERROR,
            ClientError::QosNotSupported => MQTT_PUBLISH_QOS_ERROR,
            ClientError::NetworkConnect => MQTT_NETWORK_CONNECT_ERROR,
            ClientError::CertificateRejected => ERROR_CERT_VERIFY_FAIL,
            ClientError::NetworkWrite => MQTT_NETWORK_ERROR,
            // The CONNACK refusals (docs/v210-reference.md §5.2).
            ClientError::RefusedProtocolVersion => MQTT_CONANCK_UNACCEPTABLE_PROTOCOL_VERSION_ERROR,
            ClientError::RefusedIdentifier => MQTT_CONNACK_IDENTIFIER_REJECTED_ERROR,
            ClientError::RefusedServerUnavailable => MQTT_CONNACK_SERVER_UNAVAILABLE_ERROR,
            ClientError::RefusedCredentials => MQTT_CONNACK_BAD_USERDATA_ERROR,
            ClientError::RefusedNotAuthorized => MQTT_CONNACK_NOT_AUTHORIZED_ERROR,
            ClientError::RefusedOther => MQTT_CONNACK_UNKNOWN_ERROR,
            ClientError::ConnectTimeout => MQTT_CONNECT_ERROR,
        },
        Failure::Ca(error) => match error {
            CaError::NoTls | CaError::TooLong | CaError::NotPem => NULL_VALUE_ERROR,
            CaError::NoLock => FAIL_RETURN,
        },
        // IOT_SetupConnInfo has only -1, whatever failed (docs/v210-reference.md §5.1).
        Failure::Setup(_) => FAIL_RETURN,
    }
}
