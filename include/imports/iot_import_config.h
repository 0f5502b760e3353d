/*
 * imports/iot_import_config.h - HAND-WRITTEN (not generated).
 * Timeouts of iotkit-embedded V2.10; each may be overridden with -D.
 */
#ifndef IOT_IMPORT_CONFIG_H
#define IOT_IMPORT_CONFIG_H

#ifndef CONFIG_HTTP_AUTH_TIMEOUT
#define CONFIG_HTTP_AUTH_TIMEOUT    (5 * 1000)
#endif
#ifndef CONFIG_MID_HTTP_TIMEOUT
#define CONFIG_MID_HTTP_TIMEOUT     (5 * 1000)
#endif
#ifndef CONFIG_GUIDER_AUTH_TIMEOUT
#define CONFIG_GUIDER_AUTH_TIMEOUT  (10 * 1000)
#endif
#ifndef CONFIG_COAP_AUTH_TIMEOUT
#define CONFIG_COAP_AUTH_TIMEOUT    (10 * 1000)
#endif

#endif /* IOT_IMPORT_CONFIG_H */
