/*
 * class_interface.h - HAND-WRITTEN (not generated).
 * Present so that the #include lines of V2.10 firmware resolve. iotmqtt implements only the MQTT
 * part of the SDK; this part of V2.10 is not provided and declares nothing.
 */
#ifndef IOTMQTT_CLASS_INTERFACE_H
#define IOTMQTT_CLASS_INTERFACE_H
#endif
