/*
 * test_abi.c - the V2.10 ABI of the public headers: struct sizes and offsets, enum constants,
 * macros and the complete iotx_err_t list.
 *
 * Every expected figure below is a LITERAL copied from the reference
 * (docs/v210-reference.md: §2.2 enums, §2.6-§2.7 macros, §2.8 layouts,
 * §2.9 iotx_err_t). Nothing is derived from include/.
 *
 * Built normally (LP64, x86-64) it checks everything at run time and prints
 * "N passed, M failed". Compiled with
 *     i686-linux-gnu-gcc -std=c99 -fsyntax-only -DIOTMQTT_ILP32 -I include tests/c/test_abi.c
 * it checks the ILP32 column of §2.8 and every constant with _Static_assert (compile only).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "iot_import.h"
#include "iot_export.h"

#include "check.h"

/* §2.9, in the header's order: 184 entries (name, value). */
#define V210_ERR_LIST \
    ERR(ERROR_DEVICE_NOT_EXSIT, -311) \
    ERR(ERROR_NET_TIMEOUT, -310) \
    ERR(ERROR_CERT_VERIFY_FAIL, -309) \
    ERR(ERROR_NET_SETOPT_TIMEOUT, -308) \
    ERR(ERROR_NET_SOCKET, -307) \
    ERR(ERROR_NET_CONNECT, -306) \
    ERR(ERROR_NET_BIND, -305) \
    ERR(ERROR_NET_LISTEN, -304) \
    ERR(ERROR_NET_RECV, -303) \
    ERR(ERROR_NET_SEND, -302) \
    ERR(ERROR_NET_CONN, -301) \
    ERR(ERROR_NET_UNKNOWN_HOST, -300) \
    ERR(MQTT_SUB_INFO_NOT_FOUND_ERROR, -43) \
    ERR(MQTT_PUSH_TO_LIST_ERROR, -42) \
    ERR(MQTT_TOPIC_FORMAT_ERROR, -41) \
    ERR(NETWORK_RECONNECT_TIMED_OUT_ERROR, -40) \
    ERR(MQTT_CONNACK_UNKNOWN_ERROR, -39) \
    ERR(MQTT_CONANCK_UNACCEPTABLE_PROTOCOL_VERSION_ERROR, -38) \
    ERR(MQTT_CONNACK_IDENTIFIER_REJECTED_ERROR, -37) \
    ERR(MQTT_CONNACK_SERVER_UNAVAILABLE_ERROR, -36) \
    ERR(MQTT_CONNACK_BAD_USERDATA_ERROR, -35) \
    ERR(MQTT_CONNACK_NOT_AUTHORIZED_ERROR, -34) \
    ERR(MQTT_CONNECT_ERROR, -33) \
    ERR(MQTT_CREATE_THREAD_ERROR, -32) \
    ERR(MQTT_PING_PACKET_ERROR, -31) \
    ERR(MQTT_CONNECT_PACKET_ERROR, -30) \
    ERR(MQTT_CONNECT_ACK_PACKET_ERROR, -29) \
    ERR(MQTT_NETWORK_CONNECT_ERROR, -28) \
    ERR(MQTT_STATE_ERROR, -27) \
    ERR(MQTT_SUBSCRIBE_PACKET_ERROR, -26) \
    ERR(MQTT_SUBSCRIBE_ACK_PACKET_ERROR, -25) \
    ERR(MQTT_SUBSCRIBE_ACK_FAILURE, -24) \
    ERR(MQTT_SUBSCRIBE_QOS_ERROR, -23) \
    ERR(MQTT_UNSUBSCRIBE_PACKET_ERROR, -22) \
    ERR(MQTT_PUBLISH_PACKET_ERROR, -21) \
    ERR(MQTT_PUBLISH_QOS_ERROR, -20) \
    ERR(MQTT_PUBLISH_ACK_PACKET_ERROR, -19) \
    ERR(MQTT_PUBLISH_COMP_PACKET_ERROR, -18) \
    ERR(MQTT_PUBLISH_REC_PACKET_ERROR, -17) \
    ERR(MQTT_PUBLISH_REL_PACKET_ERROR, -16) \
    ERR(MQTT_UNSUBSCRIBE_ACK_PACKET_ERROR, -15) \
    ERR(MQTT_NETWORK_ERROR, -14) \
    ERR(MQTT_PUBLISH_ACK_TYPE_ERROR, -13) \
    ERR(ERROR_SHADOW_NO_METHOD, -2008) \
    ERR(ERROR_SHADOW_UNDEF_TYPE, -2007) \
    ERR(ERROR_SHADOW_UPDATE_TIMEOUT, -2006) \
    ERR(ERROR_SHADOW_UPDATE_NACK, -2005) \
    ERR(ERROR_SHADOW_NO_ATTRIBUTE, -2004) \
    ERR(ERROR_SHADOW_ATTR_NO_EXIST, -2003) \
    ERR(ERROR_SHADOW_ATTR_EXIST, -2002) \
    ERR(ERROR_SHADOW_WAIT_LIST_OVERFLOW, -2001) \
    ERR(ERROR_SHADOW_INVALID_STATE, -2000) \
    ERR(ERROR_SUBDEV_NULL_VALUE, -1501) \
    ERR(ERROR_SUBDEV_NOT_NULL_VALUE, -1500) \
    ERR(ERROR_SUBDEV_STRING_NULL_VALUE, -1499) \
    ERR(ERROR_SUBDEV_INVALID_GATEWAY_HANDLE, -1498) \
    ERR(ERROR_SUBDEV_SESSION_NOT_FOUND, -1497) \
    ERR(ERROR_SUBDEV_RRPC_CB_NOT_NULL, -1496) \
    ERR(ERROR_SUBDEV_REPLY_TYPE_NOT_DEF, -1495) \
    ERR(ERROR_SUBDEV_GET_JSON_VAL, -1494) \
    ERR(ERROR_SUBDEV_DATA_LEN_OVERFLOW, -1493) \
    ERR(ERROR_SUBDEV_MSG_LEN, -1492) \
    ERR(ERROR_SUBDEV_REPLY_PROC, -1491) \
    ERR(ERROR_SUBDEV_REPLY_TOPIC_NOT_MATCH, -1490) \
    ERR(ERROR_SUBDEV_REPLY_VAL_CHECK, -1489) \
    ERR(ERROR_SUBDEV_REGISTER_TYPE_NOT_DEF, -1488) \
    ERR(ERROR_SUBDEV_PACKET_SPLICE_FAIL, -1487) \
    ERR(ERROR_SUBDEV_MQTT_PUBLISH_FAIL, -1486) \
    ERR(ERROR_SUBDEV_REPLY_PARSE_FAIL, -1485) \
    ERR(ERROR_SUBDEV_CREATE_SESSION_FAIL, -1484) \
    ERR(ERROR_SUBDEV_INVALID_CLEAN_SESSION_TYPE, -1483) \
    ERR(ERROR_SUBDEV_HAS_BEEN_LOGIN, -1482) \
    ERR(ERROR_SUBDEV_SUB_UNSUB_FAIL, -1481) \
    ERR(ERROR_SUBDEV_SESSION_STATE_FAIL, -1480) \
    ERR(ERROR_SUBDEV_MEMORY_NOT_ENOUGH, -1479) \
    ERR(ERROR_REPLY_TIMEOUT, -6099) \
    ERR(ERROR_DEVICE_NOT_FOUND, -6100) \
    ERR(ERROR_TOO_LARGE_PAGE_SIZE, -6101) \
    ERR(ERROR_DEVICE_COUNT_FAULT, -6102) \
    ERR(ERROR_DEVICE_DETAIL_FAULT, -6103) \
    ERR(ERROR_TOO_LARGE_LIST_SIZE, -6104) \
    ERR(ERROR_LIST_SIZE_CANNOT_BE_ZERO, -6105) \
    ERR(ERROR_TOO_LARGE_MAP_SIZE, -6106) \
    ERR(ERROR_MAP_SIZE_CANNOT_BE_ZERO, -6107) \
    ERR(ERROR_DEVICE_STATUS_FAULT, -6108) \
    ERR(ERROR_DEVICE_INFO_FAULT, -6109) \
    ERR(ERROR_SET_THING_PROPERTIES_ERROR, -6150) \
    ERR(ERROR_INVOKE_THING_SERVICE_ERROR, -6151) \
    ERR(ERROR_SCRIPT_REL_NOT_EXIST, -6200) \
    ERR(ERROR_SCRIPT_CONVERT_DATA_IS_NULL, -6201) \
    ERR(ERROR_DEVICE_PRODUCT_NOT_EXIST, -6202) \
    ERR(ERROR_TOPIC_NOT_EXIST, -6203) \
    ERR(ERROR_DEVICE_IS_DISABLED, -6204) \
    ERR(ERROR_IOT_MESSAGE_ERROR, -6205) \
    ERR(ERROR_PRODUCT_PROPERTY_NOT_EXIST, -6206) \
    ERR(ERROR_DATA_FORMAT_ERROR, -6207) \
    ERR(ERROR_THING_STATUS_PROHIBITED, -6208) \
    ERR(ERROR_THING_STATUS_NOT_ACTIVE, -6209) \
    ERR(ERROR_PRODUCT_NOT_FOUND, -6250) \
    ERR(ERROR_DEVICE_EXISTS, -6251) \
    ERR(ERROR_JUDGE_DEVICE_EXISTS_ERROR, -6252) \
    ERR(ERROR_ADD_DEVICE_FAILED, -6253) \
    ERR(ERROR_UPDATE_DEVICE_FAILED, -6254) \
    ERR(ERROR_INSERT_DGR_FAILED, -6255) \
    ERR(ERROR_SYN_DEVICE_FAILED, -6256) \
    ERR(ERROR_PRODUCT_DOMAIN_ILLEGAL, -6257) \
    ERR(ERROR_TENANID_ILLEGAL, -6258) \
    ERR(ERROR_PRODUCT_REGION_ILLEGAL, -6259) \
    ERR(ERROR_PRODUCT_NETTYPE_ILLEGAL, -6260) \
    ERR(ERROR_INSERT_DEVICE_APPLY_DETAIL_FAILED, -6261) \
    ERR(ERROR_UPDATE_DEVICE_APPLY_STATUS_FAILED, -6262) \
    ERR(ERROR_DELERE_DGR_FAILED, -6263) \
    ERR(ERROR_DELETE_DEVICE_FAILED, -6264) \
    ERR(ERROR_QUERY_DEVICE_DETAIL_FAILED, -6265) \
    ERR(ERROR_QUERY_DEVICE_COUNT_FAILED, -6266) \
    ERR(ERROR_QUERY_ACTIVE_DEVICE_COUNT_FAILED, -6267) \
    ERR(ERROR_INSERT_AGR_FAILED, -6268) \
    ERR(ERROR_QUERY_DEVICE_APPLY_FAILED, -6269) \
    ERR(ERROR_QUERY_PRODUCT_FAILED, -6270) \
    ERR(ERROR_DEVICE_APPLY_NOT_FOUND, -6271) \
    ERR(ERROR_RELEASE_TRIAD_FAILED, -6272) \
    ERR(ERROR_UPDATE_DAD_STATUS_FAILED, -6273) \
    ERR(ERROR_REG_LORA_DEVICE_FAILED, -6274) \
    ERR(ERROR_SYN_APPLY_DEVICE_FAILED, -6275) \
    ERR(ERROR_QUERY_DGR_FAILED, -6276) \
    ERR(ERROR_JUDGE_DGR_FAILED, -6277) \
    ERR(ERROR_QUERY_AGR_FAILED, -6278) \
    ERR(ERROR_JUDGE_AGR_FAILED, -6279) \
    ERR(ERROR_DEVICENAME_NOT_MEET_SPECS, -6280) \
    ERR(ERROR_DELETE_APPLY_DEVICE_FAILED, -6281) \
    ERR(ERROR_GEN_DEVICEID_FAILED, -6282) \
    ERR(ERROR_APPLY_ILLEGAL, -6283) \
    ERR(ERROR_LORA_DEVICE_METHOD_ERROR, -6284) \
    ERR(ERROR_APPLY_NOT_READY, -6285) \
    ERR(ERROR_DSL_PARSE_METHOD_NOT_EXIST, -6300) \
    ERR(ERROR_DSL_PARSE_PARAMS_FORMAT_ERROR, -6301) \
    ERR(ERROR_DSL_PARSE_PARAMS_VALUE_EMPTY, -6302) \
    ERR(ERROR_DSL_PARSE_PARAMS_NUMBER_ERROR, -6303) \
    ERR(ERROR_DSL_PARSE_PARAMS_NOT_EXIST, -6304) \
    ERR(ERROR_DSL_PARSE_PARAMS_TYPE_ERROR, -6305) \
    ERR(ERROR_DSL_PARSE_INT_SPECS_ERROR, -6306) \
    ERR(ERROR_DSL_PARSE_FLOAT_SPECS_ERROR, -6307) \
    ERR(ERROR_DSL_PARSE_BOOL_SPECS_ERROR, -6308) \
    ERR(ERROR_DSL_PARSE_ENUM_SPECS_ERROR, -6309) \
    ERR(ERROR_DSL_PARSE_STRING_SPECS_ERROR, -6310) \
    ERR(ERROR_DSL_PARSE_DATE_SPECS_ERROR, -6311) \
    ERR(ERROR_DSL_PARSE_STRUCT_SPECS_ERROR, -6312) \
    ERR(ERROR_DSL_SERVICE_NOT_AVAILABLE, -6313) \
    ERR(ERROR_DSL_PARSE_DATA_TYPE_PARSE_ERROR, -6314) \
    ERR(ERROR_DATA_NOT_SATISFY_DSL, -6315) \
    ERR(ERROR_DSL_PARSE_SPECS_NUMBER_FORMAT_ERROR, -6316) \
    ERR(ERROR_DSL_PARSE_TEMPLATE_ERROR, -6317) \
    ERR(ERROR_DSL_EXCEPTION, -6318) \
    ERR(ERROR_DSL_PARSE_EVENT_CALL_TYPE_ERROR, -6319) \
    ERR(ERROR_DSL_PARSE_NO_PROPERTY, -6320) \
    ERR(ERROR_DSL_PARSE_IDENTIFIER_IS_NULL, -6321) \
    ERR(ERROR_DSL_DEVICE_NOT_EXIST_IN_PRODUCT, -6321) \
    ERR(ERROR_DSL_PARSE_DOUBLE_SPECS_ERROR, -6322) \
    ERR(ERROR_EVENT_PUT_ERROR, -6350) \
    ERR(ERROR_SERVICE_PUT_ERROR, -6351) \
    ERR(ERROR_DEVICE_GET_EVENT_FAULT, -6352) \
    ERR(ERROR_PRODUCT_KEY_ELEMENT_ALREADY_EXIST, -6353) \
    ERR(ERROR_TOPO_RELATION_COUNT_EXCEED, -6400) \
    ERR(ERROR_TOPO_RELATION_NOT_EXIST, -6401) \
    ERR(ERROR_TOPO_RELATION_CANNOT_ADD_BYSELF, -6402) \
    ERR(ERROR_ALINK_METHOD_NOT_EXIST, -6450) \
    ERR(ERROR_DEVICE_GROUP_NOT_FOUND, -6550) \
    ERR(ERROR_NO_MEM, -1016) \
    ERR(ERROR_CERTIFICATE_EXPIRED, -1015) \
    ERR(ERROR_MALLOC, -1014) \
    ERR(ERROR_NO_ENOUGH_MEM, -1013) \
    ERR(ERROR_NO_SUPPORT, -12) \
    ERR(ERROR_NO_PERSISTENCE, -11) \
    ERR(ERROR_HTTP_BREAK, -10) \
    ERR(ERROR_NULL_VALUE, -9) \
    ERR(ERROR_HTTP_CONN, -8) \
    ERR(ERROR_HTTP_PARSE, -7) \
    ERR(ERROR_HTTP_UNRESOLVED_DNS, -6) \
    ERR(ERROR_HTTP_PRTCL, -5) \
    ERR(ERROR_HTTP, -4) \
    ERR(ERROR_HTTP_CLOSED, -3) \
    ERR(NULL_VALUE_ERROR, -2) \
    ERR(FAIL_RETURN, -1) \
    ERR(SUCCESS_RETURN, 0) \
    /* end of list */

/* §2.2, §2.1, §2.6: every enumerator of the MQTT, log-level and domain enums. */
#define V210_ENUM_LIST \
    ENUMV(IOTX_MQTT_QOS0, 0) \
    ENUMV(IOTX_MQTT_QOS1, 1) \
    ENUMV(IOTX_MQTT_QOS2, 2) \
    ENUMV(IOTX_MQTT_EVENT_UNDEF, 0) \
    ENUMV(IOTX_MQTT_EVENT_DISCONNECT, 1) \
    ENUMV(IOTX_MQTT_EVENT_RECONNECT, 2) \
    ENUMV(IOTX_MQTT_EVENT_SUBCRIBE_SUCCESS, 3) \
    ENUMV(IOTX_MQTT_EVENT_SUBCRIBE_TIMEOUT, 4) \
    ENUMV(IOTX_MQTT_EVENT_SUBCRIBE_NACK, 5) \
    ENUMV(IOTX_MQTT_EVENT_UNSUBCRIBE_SUCCESS, 6) \
    ENUMV(IOTX_MQTT_EVENT_UNSUBCRIBE_TIMEOUT, 7) \
    ENUMV(IOTX_MQTT_EVENT_UNSUBCRIBE_NACK, 8) \
    ENUMV(IOTX_MQTT_EVENT_PUBLISH_SUCCESS, 9) \
    ENUMV(IOTX_MQTT_EVENT_PUBLISH_TIMEOUT, 10) \
    ENUMV(IOTX_MQTT_EVENT_PUBLISH_NACK, 11) \
    ENUMV(IOTX_MQTT_EVENT_PUBLISH_RECVEIVED, 12) \
    ENUMV(IOTX_MQTT_EVENT_PUBLISH_RECEIVED, 12) \
    ENUMV(IOTX_MQTT_EVENT_BUFFER_OVERFLOW, 13) \
    ENUMV(IOT_LOG_EMERG, 0) \
    ENUMV(IOT_LOG_CRIT, 1) \
    ENUMV(IOT_LOG_ERROR, 2) \
    ENUMV(IOT_LOG_WARNING, 3) \
    ENUMV(IOT_LOG_INFO, 4) \
    ENUMV(IOT_LOG_DEBUG, 5) \
    ENUMV(IOTX_CLOUD_DOMAIN_SH, 0) \
    ENUMV(IOTX_CLOUD_DOMAIN_SG, 1) \
    ENUMV(IOTX_CLOUD_DOMAIN_JP, 2) \
    ENUMV(IOTX_CLOUD_DOMAIN_US, 3) \
    ENUMV(IOTX_CLOUD_DOMAIN_GER, 4) \
    ENUMV(IOTX_CLOUD_DOMAIN_MAX, 5) \
    /* end of list */

/* §2.6 and §2.7: the macros (values as literals). */
#define V210_MACRO_LIST \
    MACROV(PRODUCT_KEY_LEN, 20) \
    MACROV(DEVICE_NAME_LEN, 32) \
    MACROV(DEVICE_ID_LEN, 64) \
    MACROV(DEVICE_SECRET_LEN, 64) \
    MACROV(PRODUCT_SECRET_LEN, 64) \
    MACROV(MODULE_VENDOR_ID, 32) \
    MACROV(HOST_ADDRESS_LEN, 128) \
    MACROV(HOST_PORT_LEN, 8) \
    MACROV(CLIENT_ID_LEN, 256) \
    MACROV(USER_NAME_LEN, 512) \
    MACROV(PASSWORD_LEN, 256) \
    MACROV(AESKEY_STR_LEN, 32) \
    MACROV(AESKEY_HEX_LEN, 16) \
    MACROV(IOT_TRUE, 1) \
    MACROV(IOT_FALSE, 0) \
    MACROV(PID_STRLEN_MAX, 64) \
    MACROV(MID_STRLEN_MAX, 64) \
    MACROV(PID_STR_MAXLEN, 64) \
    MACROV(MID_STR_MAXLEN, 64) \
    MACROV(IOTX_URI_MAX_LEN, 135) \
    MACROV(PRODUCT_KEY_MAXLEN, 21) \
    MACROV(DEVICE_NAME_MAXLEN, 33) \
    MACROV(DEVICE_ID_MAXLEN, 65) \
    MACROV(DEVICE_SECRET_MAXLEN, 65) \
    MACROV(PRODUCT_SECRET_MAXLEN, 65) \
    MACROV(FIRMWARE_VERSION_MAXLEN, 33) \
    MACROV(HAL_CID_LEN, 65) \
    MACROV(CONFIG_HTTP_AUTH_TIMEOUT, 5000) \
    MACROV(CONFIG_MID_HTTP_TIMEOUT, 5000) \
    MACROV(CONFIG_GUIDER_AUTH_TIMEOUT, 10000) \
    MACROV(CONFIG_COAP_AUTH_TIMEOUT, 10000) \
    /* end of list */

/*
 * §2.8 layouts. LAYOUT(type, member, lp64_offset, ilp32_offset); SIZE(type, lp64, ilp32).
 */
#define V210_LAYOUT_LIST \
    SIZE(iotx_mqtt_topic_info_t, 32, 20) \
    LAYOUT(iotx_mqtt_topic_info_t, packet_id, 0, 0) \
    LAYOUT(iotx_mqtt_topic_info_t, qos, 2, 2) \
    LAYOUT(iotx_mqtt_topic_info_t, dup, 3, 3) \
    LAYOUT(iotx_mqtt_topic_info_t, retain, 4, 4) \
    LAYOUT(iotx_mqtt_topic_info_t, topic_len, 6, 6) \
    LAYOUT(iotx_mqtt_topic_info_t, payload_len, 8, 8) \
    LAYOUT(iotx_mqtt_topic_info_t, ptopic, 16, 12) \
    LAYOUT(iotx_mqtt_topic_info_t, payload, 24, 16) \
    SIZE(iotx_mqtt_event_msg_t, 16, 8) \
    LAYOUT(iotx_mqtt_event_msg_t, event_type, 0, 0) \
    LAYOUT(iotx_mqtt_event_msg_t, msg, 8, 4) \
    SIZE(iotx_mqtt_event_handle_t, 16, 8) \
    LAYOUT(iotx_mqtt_event_handle_t, h_fp, 0, 0) \
    LAYOUT(iotx_mqtt_event_handle_t, pcontext, 8, 4) \
    SIZE(iotx_mqtt_param_t, 112, 60) \
    LAYOUT(iotx_mqtt_param_t, port, 0, 0) \
    LAYOUT(iotx_mqtt_param_t, host, 8, 4) \
    LAYOUT(iotx_mqtt_param_t, client_id, 16, 8) \
    LAYOUT(iotx_mqtt_param_t, username, 24, 12) \
    LAYOUT(iotx_mqtt_param_t, password, 32, 16) \
    LAYOUT(iotx_mqtt_param_t, pub_key, 40, 20) \
    LAYOUT(iotx_mqtt_param_t, clean_session, 48, 24) \
    LAYOUT(iotx_mqtt_param_t, request_timeout_ms, 52, 28) \
    LAYOUT(iotx_mqtt_param_t, keepalive_interval_ms, 56, 32) \
    LAYOUT(iotx_mqtt_param_t, pwrite_buf, 64, 36) \
    LAYOUT(iotx_mqtt_param_t, write_buf_size, 72, 40) \
    LAYOUT(iotx_mqtt_param_t, pread_buf, 80, 44) \
    LAYOUT(iotx_mqtt_param_t, read_buf_size, 88, 48) \
    LAYOUT(iotx_mqtt_param_t, handle_event, 96, 52) \
    SIZE(iotx_device_info_t, 217, 217) \
    LAYOUT(iotx_device_info_t, product_key, 0, 0) \
    LAYOUT(iotx_device_info_t, device_name, 21, 21) \
    LAYOUT(iotx_device_info_t, device_id, 54, 54) \
    LAYOUT(iotx_device_info_t, device_secret, 119, 119) \
    LAYOUT(iotx_device_info_t, module_vendor_id, 184, 184) \
    SIZE(iotx_conn_info_t, 1168, 1164) \
    LAYOUT(iotx_conn_info_t, port, 0, 0) \
    LAYOUT(iotx_conn_info_t, host_name, 2, 2) \
    LAYOUT(iotx_conn_info_t, client_id, 131, 131) \
    LAYOUT(iotx_conn_info_t, username, 388, 388) \
    LAYOUT(iotx_conn_info_t, password, 901, 901) \
    LAYOUT(iotx_conn_info_t, pub_key, 1160, 1160) \
    /* end of list */

/* §2.3-§2.6: member sizes that are part of the ABI (uint16_t payload_len of V2.10, arrays). */
#define V210_MEMBER_SIZE_LIST \
    MSIZE(iotx_mqtt_topic_info_t, packet_id, 2) \
    MSIZE(iotx_mqtt_topic_info_t, qos, 1) \
    MSIZE(iotx_mqtt_topic_info_t, dup, 1) \
    MSIZE(iotx_mqtt_topic_info_t, retain, 1) \
    MSIZE(iotx_mqtt_topic_info_t, topic_len, 2) \
    MSIZE(iotx_mqtt_topic_info_t, payload_len, 2) \
    MSIZE(iotx_mqtt_param_t, port, 2) \
    MSIZE(iotx_mqtt_param_t, clean_session, 1) \
    MSIZE(iotx_mqtt_param_t, request_timeout_ms, 4) \
    MSIZE(iotx_mqtt_param_t, keepalive_interval_ms, 4) \
    MSIZE(iotx_mqtt_param_t, write_buf_size, 4) \
    MSIZE(iotx_mqtt_param_t, read_buf_size, 4) \
    MSIZE(iotx_device_info_t, product_key, 21) \
    MSIZE(iotx_device_info_t, device_name, 33) \
    MSIZE(iotx_device_info_t, device_id, 65) \
    MSIZE(iotx_device_info_t, device_secret, 65) \
    MSIZE(iotx_device_info_t, module_vendor_id, 33) \
    MSIZE(iotx_conn_info_t, port, 2) \
    MSIZE(iotx_conn_info_t, host_name, 129) \
    MSIZE(iotx_conn_info_t, client_id, 257) \
    MSIZE(iotx_conn_info_t, username, 513) \
    MSIZE(iotx_conn_info_t, password, 257) \
    /* end of list */

#define MEMBER_SIZE(type, member) sizeof(((type *)0)->member)

#ifdef IOTMQTT_ILP32
/* ---------------------------------------------------------------------------------------------
 * ILP32: compile-only, every figure with _Static_assert (the ILP32 column of §2.8).
 * ------------------------------------------------------------------------------------------- */
_Static_assert(sizeof(void *) == 4, "IOTMQTT_ILP32 needs an ILP32 compiler (i686-linux-gnu-gcc)");
#define ERR(name, value) _Static_assert((name) == (value), "iotx_err_t " #name);
V210_ERR_LIST
#undef ERR
#define ENUMV(name, value) _Static_assert((name) == (value), "enum " #name);
V210_ENUM_LIST
#undef ENUMV
#define MACROV(name, value) _Static_assert((name) == (value), "macro " #name);
V210_MACRO_LIST
#undef MACROV
#define SIZE(type, lp64, ilp32) _Static_assert(sizeof(type) == (ilp32), "sizeof " #type);
#define LAYOUT(type, member, lp64, ilp32) \
    _Static_assert(offsetof(type, member) == (ilp32), "offsetof " #type "." #member);
V210_LAYOUT_LIST
#undef SIZE
#undef LAYOUT
#define MSIZE(type, member, size) \
    _Static_assert(MEMBER_SIZE(type, member) == (size), "sizeof " #type "." #member);
V210_MEMBER_SIZE_LIST
#undef MSIZE
/* Enums are plain C enums: int-sized as the compiler decides for ILP32 (4 on i386). */
_Static_assert(sizeof(iotx_mqtt_qos_t) == sizeof(int), "sizeof iotx_mqtt_qos_t");
_Static_assert(sizeof(iotx_mqtt_event_type_t) == sizeof(int), "sizeof iotx_mqtt_event_type_t");
_Static_assert(sizeof(IOT_LogLevel) == sizeof(int), "sizeof IOT_LogLevel");
_Static_assert(sizeof(iotx_cloud_domain_types_t) == sizeof(int), "sizeof iotx_cloud_domain_types_t");
_Static_assert(sizeof(iotx_err_t) == sizeof(int), "sizeof iotx_err_t");
#endif /* IOTMQTT_ILP32 */

/* ---------------------------------------------------------------------------------------------
 * LP64 (and any build): run-time checks with a report per figure.
 * ------------------------------------------------------------------------------------------- */
static void check_long(const char *what, long got, long want)
{
    if (got == want) {
        g_passed++;
    } else {
        g_failed++;
        printf("FAIL %s: got %ld, expected %ld\n", what, got, want);
    }
}

struct err_entry {
    const char *name;
    long got;
    long want;
};

#define ERR(name, value) {#name, (long)(name), (value)},
static const struct err_entry g_errors[] = {V210_ERR_LIST};
#undef ERR

static void check_errors(void)
{
    size_t n = sizeof(g_errors) / sizeof(g_errors[0]);
    size_t i;
    check_long("number of iotx_err_t entries checked", (long)n, 184);
    for (i = 0; i < n; i++) {
        char what[128];
        snprintf(what, sizeof(what), "iotx_err_t %s", g_errors[i].name);
        check_long(what, g_errors[i].got, g_errors[i].want);
    }
    /* The enum type itself exists under its V2.10 names. */
    {
        iotx_err_t e = MQTT_TOPIC_FORMAT_ERROR;
        enum IOT_RETURN_CODES e2 = MQTT_STATE_ERROR;
        check_long("iotx_err_t variable", (long)e, -41);
        check_long("enum IOT_RETURN_CODES variable", (long)e2, -27);
    }
}

static void check_enums(void)
{
#define ENUMV(name, value) check_long("enum " #name, (long)(name), (value));
    V210_ENUM_LIST
#undef ENUMV
    check_long("sizeof(iotx_mqtt_qos_t)", (long)sizeof(iotx_mqtt_qos_t), 4);
    check_long("sizeof(iotx_mqtt_event_type_t)", (long)sizeof(iotx_mqtt_event_type_t), 4);
    check_long("sizeof(IOT_LogLevel)", (long)sizeof(IOT_LogLevel), 4);
    check_long("sizeof(enum _IOT_LogLevel)", (long)sizeof(enum _IOT_LogLevel), 4);
    check_long("sizeof(iotx_cloud_domain_types_t)", (long)sizeof(iotx_cloud_domain_types_t), 4);
    check_long("sizeof(enum IOTX_CLOUD_DOMAIN_TYPES)", (long)sizeof(enum IOTX_CLOUD_DOMAIN_TYPES), 4);
    check_long("sizeof(iotx_err_t)", (long)sizeof(iotx_err_t), 4);
}

static void check_macros(void)
{
#define MACROV(name, value) check_long("macro " #name, (long)(name), (value));
    V210_MACRO_LIST
#undef MACROV
}

static void check_layouts(void)
{
    check_long("sizeof(void *) (this test expects LP64)", (long)sizeof(void *), 8);
    check_long("sizeof(long) (this test expects LP64)", (long)sizeof(long), 8);
#define SIZE(type, lp64, ilp32) check_long("sizeof(" #type ")", (long)sizeof(type), (lp64));
#define LAYOUT(type, member, lp64, ilp32) \
    check_long("offsetof(" #type ", " #member ")", (long)offsetof(type, member), (lp64));
    V210_LAYOUT_LIST
#undef SIZE
#undef LAYOUT
#define MSIZE(type, member, size) \
    check_long("sizeof(" #type "." #member ")", (long)MEMBER_SIZE(type, member), (size));
    V210_MEMBER_SIZE_LIST
#undef MSIZE
    /* The *_pt typedefs are pointers to their structs. */
    check_long("sizeof(iotx_mqtt_topic_info_pt)", (long)sizeof(iotx_mqtt_topic_info_pt), 8);
    check_long("sizeof(*(iotx_mqtt_topic_info_pt)0)", (long)sizeof(*(iotx_mqtt_topic_info_pt)0), 32);
    check_long("sizeof(*(iotx_mqtt_event_msg_pt)0)", (long)sizeof(*(iotx_mqtt_event_msg_pt)0), 16);
    check_long("sizeof(*(iotx_mqtt_event_handle_pt)0)", (long)sizeof(*(iotx_mqtt_event_handle_pt)0), 16);
    check_long("sizeof(*(iotx_mqtt_param_pt)0)", (long)sizeof(*(iotx_mqtt_param_pt)0), 112);
    check_long("sizeof(*(iotx_device_info_pt)0)", (long)sizeof(*(iotx_device_info_pt)0), 217);
    check_long("sizeof(*(iotx_conn_info_pt)0)", (long)sizeof(*(iotx_conn_info_pt)0), 1168);
}

int main(void)
{
    check_errors();
    check_enums();
    check_macros();
    check_layouts();
    return check_report();
}
