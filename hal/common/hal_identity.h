/*
 * hal_identity.h - the product / device identity of the V2.10 HAL (HAL_Set/GetProductKey, ...
 * HAL_GetDeviceID), shared by the reference HALs (hal_identity.c). A HAL that links it supplies
 * the two functions below: a lock around the stored strings (a mutex with threads; nothing on a
 * single-threaded board).
 *
 * Hand-written. Not part of the V2.10 headers.
 */
#ifndef IOTMQTT_HAL_IDENTITY_H
#define IOTMQTT_HAL_IDENTITY_H

void hal_identity_lock(void);
void hal_identity_unlock(void);

#endif /* IOTMQTT_HAL_IDENTITY_H */
