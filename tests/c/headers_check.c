/*
 * headers_check.c - the public headers compile cleanly on their own, as C99 with
 * -Wall -Wextra -Werror -Wstrict-prototypes and as C++ (g++ -x c++), in either include order.
 * Compile-only (-fsyntax-only); registered in tests.cmake.
 */
#ifdef HEADERS_CHECK_EXPORT_FIRST
#include "iot_export.h"
#include "iot_import.h"
#else
#include "iot_import.h"
#include "iot_export.h"
#endif
/* Each again: include guards. */
#include "exports/iot_export_mqtt.h"
#include "exports/iot_export_errno.h"
#include "imports/iot_import_product.h"
#include "imports/iot_import_config.h"

/* A use of the main declarations so a broken one cannot hide. */
typedef void *(*construct_fn)(iotx_mqtt_param_t *);
typedef int32_t (*tcp_read_fn)(uintptr_t, char *, uint32_t, uint32_t);

int headers_check_use(void);
int headers_check_use(void)
{
    construct_fn c = IOT_MQTT_Construct;
    tcp_read_fn r = HAL_TCP_Read;
    iotx_mqtt_topic_info_t t;
    t.payload_len = 0;
    return (c != 0) + (r != 0) + (int)t.payload_len + (int)MQTT_STATE_ERROR;
}
