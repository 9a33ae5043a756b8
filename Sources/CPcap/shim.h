#ifndef TCPLAB_CPCAP_SHIM_H
#define TCPLAB_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
