/*
 * iotmqtt_ext.h - iotmqtt extensions beyond the V2.10 API. Not part of the V2.10 header tree:
 * firmware written against V2.10 never needs it.
 */
#ifndef IOTMQTT_EXT_H
#define IOTMQTT_EXT_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * For local testing: replaces the built-in CA (the GlobalSign Root CA, as V2.10) that
 * IOT_SetupConnInfo puts in iotx_conn_info_t.pub_key and that HTTPS pre-authentication verifies
 * the server against. `pem` holds one or more PEM certificates ("-----BEGIN CERTIFICATE-----");
 * it is copied. NULL restores the built-in CA. Affects IOT_SetupConnInfo calls made afterwards.
 * Returns 0, or -2 (NULL_VALUE_ERROR) when `pem` holds no PEM certificate, is longer than
 * 64 KiB, or the library was built without TLS; -1 (FAIL_RETURN) when the HAL cannot create the
 * mutex that guards it. The library reads no environment variable for
 * this; a test or a development build of the firmware calls it.
 */
int IOT_SetCACert(const char *pem);

#ifdef __cplusplus
}
#endif

#endif /* IOTMQTT_EXT_H */
