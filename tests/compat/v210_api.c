/*
 * v210_api.c - a compatibility source written against the iotkit-embedded V2.10 interface
 * (docs/v210-reference.md §1 functions, §2 types, macros and enums), the way V2.10 firmware uses it.
 *
 * It must compile unchanged as C99 (gcc -std=c99 -Wall -Wextra -Werror), as C++
 * (g++ -Wall -Wextra -Werror -x c++) and for ILP32 (i686-linux-gnu-gcc), and link against libiotmqtt.a
 * with only the TCP-only HAL of v210_hal.c (no HAL_SSL_*, no HAL_iTLS_*).
 *
 * Run, it exercises every §1 function with the TCP connect failing (v210_hal.c's
 * HAL_TCP_Establish always fails), so IOT_MQTT_Construct returns NULL, and checks the return
 * codes. It is deterministic: no network, a fake clock. Prints "N passed, M failed".
 *
 * Not used: IOT_MQTT_ConstructSecure / IOT_SetupConnInfoSecure (declared, but only defined in
 * V2.10's ID2 builds).
 */
#include <stdio.h>
#include <string.h>

#include "iot_import.h"
#include "iot_export.h"
#include "exports/iot_export_mqtt.h"
#include "exports/iot_export_errno.h"

#include "../c/check.h"

/* ----- §2.1, §2.2: every enumerator, misspellings included, and the later alias ----------- */
static const iotx_mqtt_qos_t g_qos_values[] = {IOTX_MQTT_QOS0, IOTX_MQTT_QOS1, IOTX_MQTT_QOS2};

static const iotx_mqtt_event_type_t g_event_values[] = {
    IOTX_MQTT_EVENT_UNDEF,
    IOTX_MQTT_EVENT_DISCONNECT,
    IOTX_MQTT_EVENT_RECONNECT,
    IOTX_MQTT_EVENT_SUBCRIBE_SUCCESS,
    IOTX_MQTT_EVENT_SUBCRIBE_TIMEOUT,
    IOTX_MQTT_EVENT_SUBCRIBE_NACK,
    IOTX_MQTT_EVENT_UNSUBCRIBE_SUCCESS,
    IOTX_MQTT_EVENT_UNSUBCRIBE_TIMEOUT,
    IOTX_MQTT_EVENT_UNSUBCRIBE_NACK,
    IOTX_MQTT_EVENT_PUBLISH_SUCCESS,
    IOTX_MQTT_EVENT_PUBLISH_TIMEOUT,
    IOTX_MQTT_EVENT_PUBLISH_NACK,
    IOTX_MQTT_EVENT_PUBLISH_RECVEIVED,
    IOTX_MQTT_EVENT_BUFFER_OVERFLOW,
};

/* ----- §2.6: log levels and domains, by typedef and by tag ---------------------------------- */
static const IOT_LogLevel g_levels[] = {IOT_LOG_EMERG, IOT_LOG_CRIT,  IOT_LOG_ERROR,
                                        IOT_LOG_WARNING, IOT_LOG_INFO, IOT_LOG_DEBUG};
static const enum _IOT_LogLevel g_level_by_tag = IOT_LOG_INFO;

static const iotx_cloud_domain_types_t g_domains[] = {
    IOTX_CLOUD_DOMAIN_SH, IOTX_CLOUD_DOMAIN_SG, IOTX_CLOUD_DOMAIN_JP,
    IOTX_CLOUD_DOMAIN_US, IOTX_CLOUD_DOMAIN_GER, IOTX_CLOUD_DOMAIN_MAX};
static const enum IOTX_CLOUD_DOMAIN_TYPES g_domain_by_tag = IOTX_CLOUD_DOMAIN_GER;

/* ----- §2.6, §2.7: every macro ------------------------------------------------------------- */
static const long g_macros[] = {
    PRODUCT_KEY_LEN,        DEVICE_NAME_LEN,         DEVICE_ID_LEN,
    DEVICE_SECRET_LEN,      PRODUCT_SECRET_LEN,      MODULE_VENDOR_ID,
    HOST_ADDRESS_LEN,       HOST_PORT_LEN,           CLIENT_ID_LEN,
    USER_NAME_LEN,          PASSWORD_LEN,            AESKEY_STR_LEN,
    AESKEY_HEX_LEN,         IOT_TRUE,                IOT_FALSE,
    PID_STRLEN_MAX,         MID_STRLEN_MAX,          PID_STR_MAXLEN,
    MID_STR_MAXLEN,         IOTX_URI_MAX_LEN,        PRODUCT_KEY_MAXLEN,
    DEVICE_NAME_MAXLEN,     DEVICE_ID_MAXLEN,        DEVICE_SECRET_MAXLEN,
    PRODUCT_SECRET_MAXLEN,  FIRMWARE_VERSION_MAXLEN, HAL_CID_LEN,
    CONFIG_HTTP_AUTH_TIMEOUT, CONFIG_MID_HTTP_TIMEOUT, CONFIG_GUIDER_AUTH_TIMEOUT,
    CONFIG_COAP_AUTH_TIMEOUT,
};

/* ----- §2.7 / §2.9: every iotx_err_t name (values are checked by test_abi) ------------------ */
static const iotx_err_t g_errors[] = {
    ERROR_DEVICE_NOT_EXSIT, ERROR_NET_TIMEOUT, ERROR_CERT_VERIFY_FAIL, ERROR_NET_SETOPT_TIMEOUT,
    ERROR_NET_SOCKET, ERROR_NET_CONNECT, ERROR_NET_BIND, ERROR_NET_LISTEN, ERROR_NET_RECV,
    ERROR_NET_SEND, ERROR_NET_CONN, ERROR_NET_UNKNOWN_HOST, MQTT_SUB_INFO_NOT_FOUND_ERROR,
    MQTT_PUSH_TO_LIST_ERROR, MQTT_TOPIC_FORMAT_ERROR, NETWORK_RECONNECT_TIMED_OUT_ERROR,
    MQTT_CONNACK_UNKNOWN_ERROR, MQTT_CONANCK_UNACCEPTABLE_PROTOCOL_VERSION_ERROR,
    MQTT_CONNACK_IDENTIFIER_REJECTED_ERROR, MQTT_CONNACK_SERVER_UNAVAILABLE_ERROR,
    MQTT_CONNACK_BAD_USERDATA_ERROR, MQTT_CONNACK_NOT_AUTHORIZED_ERROR, MQTT_CONNECT_ERROR,
    MQTT_CREATE_THREAD_ERROR, MQTT_PING_PACKET_ERROR, MQTT_CONNECT_PACKET_ERROR,
    MQTT_CONNECT_ACK_PACKET_ERROR, MQTT_NETWORK_CONNECT_ERROR, MQTT_STATE_ERROR,
    MQTT_SUBSCRIBE_PACKET_ERROR, MQTT_SUBSCRIBE_ACK_PACKET_ERROR, MQTT_SUBSCRIBE_ACK_FAILURE,
    MQTT_SUBSCRIBE_QOS_ERROR, MQTT_UNSUBSCRIBE_PACKET_ERROR, MQTT_PUBLISH_PACKET_ERROR,
    MQTT_PUBLISH_QOS_ERROR, MQTT_PUBLISH_ACK_PACKET_ERROR, MQTT_PUBLISH_COMP_PACKET_ERROR,
    MQTT_PUBLISH_REC_PACKET_ERROR, MQTT_PUBLISH_REL_PACKET_ERROR,
    MQTT_UNSUBSCRIBE_ACK_PACKET_ERROR, MQTT_NETWORK_ERROR, MQTT_PUBLISH_ACK_TYPE_ERROR,
    ERROR_SHADOW_NO_METHOD, ERROR_SHADOW_UNDEF_TYPE, ERROR_SHADOW_UPDATE_TIMEOUT,
    ERROR_SHADOW_UPDATE_NACK, ERROR_SHADOW_NO_ATTRIBUTE, ERROR_SHADOW_ATTR_NO_EXIST,
    ERROR_SHADOW_ATTR_EXIST, ERROR_SHADOW_WAIT_LIST_OVERFLOW, ERROR_SHADOW_INVALID_STATE,
    ERROR_SUBDEV_NULL_VALUE, ERROR_SUBDEV_NOT_NULL_VALUE, ERROR_SUBDEV_STRING_NULL_VALUE,
    ERROR_SUBDEV_INVALID_GATEWAY_HANDLE, ERROR_SUBDEV_SESSION_NOT_FOUND,
    ERROR_SUBDEV_RRPC_CB_NOT_NULL, ERROR_SUBDEV_REPLY_TYPE_NOT_DEF, ERROR_SUBDEV_GET_JSON_VAL,
    ERROR_SUBDEV_DATA_LEN_OVERFLOW, ERROR_SUBDEV_MSG_LEN, ERROR_SUBDEV_REPLY_PROC,
    ERROR_SUBDEV_REPLY_TOPIC_NOT_MATCH, ERROR_SUBDEV_REPLY_VAL_CHECK,
    ERROR_SUBDEV_REGISTER_TYPE_NOT_DEF, ERROR_SUBDEV_PACKET_SPLICE_FAIL,
    ERROR_SUBDEV_MQTT_PUBLISH_FAIL, ERROR_SUBDEV_REPLY_PARSE_FAIL,
    ERROR_SUBDEV_CREATE_SESSION_FAIL, ERROR_SUBDEV_INVALID_CLEAN_SESSION_TYPE,
    ERROR_SUBDEV_HAS_BEEN_LOGIN, ERROR_SUBDEV_SUB_UNSUB_FAIL, ERROR_SUBDEV_SESSION_STATE_FAIL,
    ERROR_SUBDEV_MEMORY_NOT_ENOUGH, ERROR_REPLY_TIMEOUT, ERROR_DEVICE_NOT_FOUND,
    ERROR_TOO_LARGE_PAGE_SIZE, ERROR_DEVICE_COUNT_FAULT, ERROR_DEVICE_DETAIL_FAULT,
    ERROR_TOO_LARGE_LIST_SIZE, ERROR_LIST_SIZE_CANNOT_BE_ZERO, ERROR_TOO_LARGE_MAP_SIZE,
    ERROR_MAP_SIZE_CANNOT_BE_ZERO, ERROR_DEVICE_STATUS_FAULT, ERROR_DEVICE_INFO_FAULT,
    ERROR_SET_THING_PROPERTIES_ERROR, ERROR_INVOKE_THING_SERVICE_ERROR,
    ERROR_SCRIPT_REL_NOT_EXIST, ERROR_SCRIPT_CONVERT_DATA_IS_NULL,
    ERROR_DEVICE_PRODUCT_NOT_EXIST, ERROR_TOPIC_NOT_EXIST, ERROR_DEVICE_IS_DISABLED,
    ERROR_IOT_MESSAGE_ERROR, ERROR_PRODUCT_PROPERTY_NOT_EXIST, ERROR_DATA_FORMAT_ERROR,
    ERROR_THING_STATUS_PROHIBITED, ERROR_THING_STATUS_NOT_ACTIVE, ERROR_PRODUCT_NOT_FOUND,
    ERROR_DEVICE_EXISTS, ERROR_JUDGE_DEVICE_EXISTS_ERROR, ERROR_ADD_DEVICE_FAILED,
    ERROR_UPDATE_DEVICE_FAILED, ERROR_INSERT_DGR_FAILED, ERROR_SYN_DEVICE_FAILED,
    ERROR_PRODUCT_DOMAIN_ILLEGAL, ERROR_TENANID_ILLEGAL, ERROR_PRODUCT_REGION_ILLEGAL,
    ERROR_PRODUCT_NETTYPE_ILLEGAL, ERROR_INSERT_DEVICE_APPLY_DETAIL_FAILED,
    ERROR_UPDATE_DEVICE_APPLY_STATUS_FAILED, ERROR_DELERE_DGR_FAILED,
    ERROR_DELETE_DEVICE_FAILED, ERROR_QUERY_DEVICE_DETAIL_FAILED,
    ERROR_QUERY_DEVICE_COUNT_FAILED, ERROR_QUERY_ACTIVE_DEVICE_COUNT_FAILED,
    ERROR_INSERT_AGR_FAILED, ERROR_QUERY_DEVICE_APPLY_FAILED, ERROR_QUERY_PRODUCT_FAILED,
    ERROR_DEVICE_APPLY_NOT_FOUND, ERROR_RELEASE_TRIAD_FAILED, ERROR_UPDATE_DAD_STATUS_FAILED,
    ERROR_REG_LORA_DEVICE_FAILED, ERROR_SYN_APPLY_DEVICE_FAILED, ERROR_QUERY_DGR_FAILED,
    ERROR_JUDGE_DGR_FAILED, ERROR_QUERY_AGR_FAILED, ERROR_JUDGE_AGR_FAILED,
    ERROR_DEVICENAME_NOT_MEET_SPECS, ERROR_DELETE_APPLY_DEVICE_FAILED,
    ERROR_GEN_DEVICEID_FAILED, ERROR_APPLY_ILLEGAL, ERROR_LORA_DEVICE_METHOD_ERROR,
    ERROR_APPLY_NOT_READY, ERROR_DSL_PARSE_METHOD_NOT_EXIST, ERROR_DSL_PARSE_PARAMS_FORMAT_ERROR,
    ERROR_DSL_PARSE_PARAMS_VALUE_EMPTY, ERROR_DSL_PARSE_PARAMS_NUMBER_ERROR,
    ERROR_DSL_PARSE_PARAMS_NOT_EXIST, ERROR_DSL_PARSE_PARAMS_TYPE_ERROR,
    ERROR_DSL_PARSE_INT_SPECS_ERROR, ERROR_DSL_PARSE_FLOAT_SPECS_ERROR,
    ERROR_DSL_PARSE_BOOL_SPECS_ERROR, ERROR_DSL_PARSE_ENUM_SPECS_ERROR,
    ERROR_DSL_PARSE_STRING_SPECS_ERROR, ERROR_DSL_PARSE_DATE_SPECS_ERROR,
    ERROR_DSL_PARSE_STRUCT_SPECS_ERROR, ERROR_DSL_SERVICE_NOT_AVAILABLE,
    ERROR_DSL_PARSE_DATA_TYPE_PARSE_ERROR, ERROR_DATA_NOT_SATISFY_DSL,
    ERROR_DSL_PARSE_SPECS_NUMBER_FORMAT_ERROR, ERROR_DSL_PARSE_TEMPLATE_ERROR,
    ERROR_DSL_EXCEPTION, ERROR_DSL_PARSE_EVENT_CALL_TYPE_ERROR, ERROR_DSL_PARSE_NO_PROPERTY,
    ERROR_DSL_PARSE_IDENTIFIER_IS_NULL, ERROR_DSL_DEVICE_NOT_EXIST_IN_PRODUCT,
    ERROR_DSL_PARSE_DOUBLE_SPECS_ERROR, ERROR_EVENT_PUT_ERROR, ERROR_SERVICE_PUT_ERROR,
    ERROR_DEVICE_GET_EVENT_FAULT, ERROR_PRODUCT_KEY_ELEMENT_ALREADY_EXIST,
    ERROR_TOPO_RELATION_COUNT_EXCEED, ERROR_TOPO_RELATION_NOT_EXIST,
    ERROR_TOPO_RELATION_CANNOT_ADD_BYSELF, ERROR_ALINK_METHOD_NOT_EXIST,
    ERROR_DEVICE_GROUP_NOT_FOUND, ERROR_NO_MEM, ERROR_CERTIFICATE_EXPIRED, ERROR_MALLOC,
    ERROR_NO_ENOUGH_MEM, ERROR_NO_SUPPORT, ERROR_NO_PERSISTENCE, ERROR_HTTP_BREAK,
    ERROR_NULL_VALUE, ERROR_HTTP_CONN, ERROR_HTTP_PARSE, ERROR_HTTP_UNRESOLVED_DNS,
    ERROR_HTTP_PRTCL, ERROR_HTTP, ERROR_HTTP_CLOSED, NULL_VALUE_ERROR, FAIL_RETURN,
    SUCCESS_RETURN,
};

/* ----- §2.4: the callback type, as firmware writes one -------------------------------------- */
static int g_events_seen;

static void event_handle(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    iotx_mqtt_event_msg_t copy;
    (void)pcontext;
    (void)pclient;
    copy = *msg;
    if (copy.event_type == IOTX_MQTT_EVENT_PUBLISH_RECVEIVED) {
        iotx_mqtt_topic_info_pt topic_info = (iotx_mqtt_topic_info_pt)copy.msg;
        (void)topic_info;
    }
    g_events_seen++;
}

static void message_arrive(void *pcontext, void *pclient, iotx_mqtt_event_msg_pt msg)
{
    event_handle(pcontext, pclient, msg);
}

static void check_types(void)
{
    iotx_mqtt_topic_info_t topic_info;
    iotx_mqtt_topic_info_pt topic_info_p = &topic_info;
    iotx_mqtt_event_msg_t event_msg;
    iotx_mqtt_event_msg_pt event_msg_p = &event_msg;
    iotx_mqtt_event_handle_func_fpt fp = message_arrive;
    iotx_mqtt_event_handle_t event_handle_s;
    iotx_mqtt_event_handle_pt event_handle_p = &event_handle_s;
    iotx_mqtt_param_t param;
    iotx_mqtt_param_pt param_p = &param;
    iotx_device_info_t device_info;
    iotx_device_info_pt device_info_p = &device_info;
    iotx_conn_info_t conn_info;
    iotx_conn_info_pt conn_info_p = &conn_info;
    size_t i;

    memset(&topic_info, 0, sizeof(topic_info));
    topic_info_p->packet_id = 65535;
    topic_info_p->payload_len = 65535; /* uint16_t in V2.10 */
    CHECK_INT(topic_info.payload_len, 65535);

    event_msg_p->event_type = IOTX_MQTT_EVENT_BUFFER_OVERFLOW;
    event_msg_p->msg = NULL;
    event_handle_p->h_fp = fp;
    event_handle_p->pcontext = NULL;
    event_handle_p->h_fp(event_handle_p->pcontext, NULL, event_msg_p);
    CHECK_INT(g_events_seen, 1);

    memset(param_p, 0, sizeof(param));
    param_p->handle_event = event_handle_s;
    CHECK(param.handle_event.h_fp == message_arrive);

    memset(device_info_p, 0, sizeof(device_info));
    strncpy(device_info_p->product_key, "pk", PRODUCT_KEY_LEN);
    CHECK_INT(sizeof(device_info.product_key), PRODUCT_KEY_LEN + 1);
    CHECK_INT(sizeof(device_info.module_vendor_id), MODULE_VENDOR_ID + 1);

    memset(conn_info_p, 0, sizeof(conn_info));
    CHECK_INT(sizeof(conn_info.host_name), HOST_ADDRESS_LEN + 1);
    CHECK_INT(sizeof(conn_info.client_id), CLIENT_ID_LEN + 1);
    CHECK_INT(sizeof(conn_info.username), USER_NAME_LEN + 1);
    CHECK_INT(sizeof(conn_info.password), PASSWORD_LEN + 1);

    for (i = 0; i < sizeof(g_qos_values) / sizeof(g_qos_values[0]); i++) {
        CHECK_INT(g_qos_values[i], i);
    }
    for (i = 0; i < sizeof(g_event_values) / sizeof(g_event_values[0]); i++) {
        CHECK_INT(g_event_values[i], i);
    }
    CHECK_INT(IOTX_MQTT_EVENT_PUBLISH_RECEIVED, IOTX_MQTT_EVENT_PUBLISH_RECVEIVED);
    for (i = 0; i < sizeof(g_levels) / sizeof(g_levels[0]); i++) {
        CHECK_INT(g_levels[i], i);
    }
    CHECK_INT(g_level_by_tag, 4);
    for (i = 0; i < sizeof(g_domains) / sizeof(g_domains[0]); i++) {
        CHECK_INT(g_domains[i], i);
    }
    CHECK_INT(g_domain_by_tag, 4);
    CHECK_INT(sizeof(g_macros) / sizeof(g_macros[0]), 31);
    CHECK_INT(sizeof(g_errors) / sizeof(g_errors[0]), 184);
}

/* ----- §1: every function, with the TCP connect failing -------------------------------------- */
static void check_functions(void)
{
    void *pclient = NULL;
    void *info_ptr = NULL;
    iotx_conn_info_pt pconn_info;
    iotx_mqtt_param_t mqtt_params;
    iotx_mqtt_topic_info_t topic_msg;
    static char msg_writebuf[1024];
    static char msg_readbuf[1024];
    char product_key[PRODUCT_KEY_LEN + 1] = "yfTuLfBJTiL";
    char device_name[DEVICE_NAME_LEN + 1] = "TestDeviceForDemo";
    char device_secret[DEVICE_SECRET_LEN + 1] = "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c";
    const char *payload = "hello";

    IOT_OpenLog("mqtt");
    IOT_SetLogLevel(IOT_LOG_DEBUG);
    IOT_DumpMemoryStats(IOT_LOG_DEBUG);

    IOT_SetupDomain(IOTX_CLOUD_DOMAIN_SH);
    CHECK_INT(IOT_SetupConnInfo(product_key, device_name, device_secret, (void **)&pconn_info), 0);
    CHECK(pconn_info != NULL);
    if (pconn_info != NULL) {
        CHECK_INT(pconn_info->port, 1883);
        CHECK(strcmp(pconn_info->host_name, "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com") == 0);
        CHECK(strcmp(pconn_info->username, "TestDeviceForDemo&yfTuLfBJTiL") == 0);
        CHECK(pconn_info->pub_key == NULL);
    }
    CHECK_INT(IOT_SetupConnInfo(NULL, device_name, device_secret, &info_ptr), FAIL_RETURN);
    CHECK(info_ptr == NULL);

    memset(&mqtt_params, 0x0, sizeof(mqtt_params));
    if (pconn_info != NULL) {
        mqtt_params.port = pconn_info->port;
        mqtt_params.host = pconn_info->host_name;
        mqtt_params.client_id = pconn_info->client_id;
        mqtt_params.username = pconn_info->username;
        mqtt_params.password = pconn_info->password;
        mqtt_params.pub_key = pconn_info->pub_key;
    }
    mqtt_params.request_timeout_ms = 2000;
    mqtt_params.clean_session = 0;
    mqtt_params.keepalive_interval_ms = 60000;
    mqtt_params.pread_buf = msg_readbuf;
    mqtt_params.read_buf_size = sizeof(msg_readbuf);
    mqtt_params.pwrite_buf = msg_writebuf;
    mqtt_params.write_buf_size = sizeof(msg_writebuf);
    mqtt_params.handle_event.h_fp = event_handle;
    mqtt_params.handle_event.pcontext = NULL;

    /* HAL_TCP_Establish fails: Construct returns NULL, raises no event. */
    g_events_seen = 0;
    pclient = IOT_MQTT_Construct(&mqtt_params);
    CHECK(pclient == NULL);
    CHECK_INT(g_events_seen, 0);
    CHECK(IOT_MQTT_Construct(NULL) == NULL);

    /* Every other MQTT function with the NULL handle firmware is left with. */
    CHECK_INT(IOT_MQTT_Yield(pclient, 200), NULL_VALUE_ERROR);
    CHECK_INT(IOT_MQTT_CheckStateNormal(pclient), NULL_VALUE_ERROR);
    CHECK_INT(IOT_MQTT_Subscribe(pclient, "/yfTuLfBJTiL/TestDeviceForDemo/data", IOTX_MQTT_QOS1,
                                 message_arrive, NULL),
              NULL_VALUE_ERROR);
    memset(&topic_msg, 0x0, sizeof(iotx_mqtt_topic_info_t));
    topic_msg.qos = IOTX_MQTT_QOS1;
    topic_msg.retain = 0;
    topic_msg.dup = 0;
    topic_msg.payload = payload;
    topic_msg.payload_len = (uint16_t)strlen(payload);
    CHECK_INT(IOT_MQTT_Publish(pclient, "/yfTuLfBJTiL/TestDeviceForDemo/data", &topic_msg),
              NULL_VALUE_ERROR);
    CHECK_INT(IOT_MQTT_Unsubscribe(pclient, "/yfTuLfBJTiL/TestDeviceForDemo/data"), NULL_VALUE_ERROR);
    CHECK_INT(IOT_MQTT_Disable_Reconnect(pclient), NULL_VALUE_ERROR);
    CHECK_INT(IOT_MQTT_Destroy(&pclient), NULL_VALUE_ERROR);
    CHECK_INT(IOT_MQTT_Destroy(NULL), NULL_VALUE_ERROR);

    IOT_DumpMemoryStats(IOT_LOG_DEBUG);
    IOT_CloseLog();
}

/* The product getters/setters of the HAL (iot_import_product.h), as firmware calls them. */
static void check_product_hal(void)
{
    char pk[PRODUCT_KEY_LEN + 1] = {0};
    char dn[DEVICE_NAME_LEN + 1] = {0};
    char ds[DEVICE_SECRET_LEN + 1] = {0};
    char ps[DEVICE_SECRET_LEN + 1] = {0};
    char did[DEVICE_ID_LEN + 1] = {0};
    char ver[FIRMWARE_VERSION_MAXLEN] = {0};
    char cid[HAL_CID_LEN] = {0};
    char pid[PID_STRLEN_MAX] = {0};
    char mid[MID_STRLEN_MAX] = {0};
    char set_pk[] = "pk";
    char set_dn[] = "dn";
    char set_ds[] = "ds";
    char set_ps[] = "ps";

    CHECK_INT(HAL_SetProductKey(set_pk), 2);
    CHECK_INT(HAL_SetDeviceName(set_dn), 2);
    CHECK_INT(HAL_SetDeviceSecret(set_ds), 2);
    CHECK_INT(HAL_SetProductSecret(set_ps), 2);
    CHECK_INT(HAL_GetProductKey(pk), 2);
    CHECK_INT(HAL_GetDeviceName(dn), 2);
    CHECK_INT(HAL_GetDeviceSecret(ds), 2);
    CHECK_INT(HAL_GetProductSecret(ps), 2);
    CHECK_INT(HAL_GetDeviceID(did), 5);
    CHECK(strcmp(did, "pk.dn") == 0);
    CHECK(HAL_GetFirmwareVesion(ver) > 0);
    CHECK(HAL_GetChipID(cid) == cid);
    CHECK_INT(HAL_GetPartnerID(pid), 0);
    CHECK_INT(HAL_GetModuleID(mid), 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    check_types();
    check_product_hal();
    check_functions();
    return check_report();
}
