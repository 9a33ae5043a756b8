"""Writes the hostile HTTP captures beside it: python3 make_http_captures.py"""
import struct, sys
def csum(b):
    if len(b)%2: b+=b'\0'
    s=sum(struct.unpack('!%dH'%(len(b)//2),b)); s=(s>>16)+(s&0xffff); s+=s>>16; return (~s)&0xffff
def pkt(src,dst,sp,dp,seq,ack,flags,data=b''):
    tcp=struct.pack('!HHIIBBHHH',sp,dp,seq,ack,5<<4,flags,65535,0,0)+data
    ip=struct.pack('!BBHHHBBH4s4s',0x45,0,20+len(tcp),0,0,64,6,0,bytes(src),bytes(dst))
    ip=ip[:10]+struct.pack('!H',csum(ip))+ip[12:]
    return ip + tcp
def write(name, cl):
    c=[127,0,0,1]; s=[127,0,0,1]; out=[]
    S,A,P,F=2,16,8,1
    out.append(pkt(c,s,40000,12345,100,0,S))
    out.append(pkt(s,c,12345,40000,500,101,S|A))
    out.append(pkt(c,s,40000,12345,101,501,A))
    req=b'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
    out.append(pkt(c,s,40000,12345,101,501,P|A,req))
    resp=b'HTTP/1.1 200 OK\r\nContent-Length: '+cl+b'\r\n\r\nhello'
    out.append(pkt(s,c,12345,40000,501,101+len(req),P|A,resp))
    out.append(pkt(s,c,12345,40000,501+len(resp),101+len(req),F|A))
    out.append(pkt(c,s,40000,12345,101+len(req),502+len(resp),F|A))
    out.append(pkt(s,c,12345,40000,502+len(resp),102+len(req),A))
    with open(name,'wb') as f:
        f.write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,101))
        for i,p in enumerate(out):
            f.write(struct.pack('<IIII',1000+i,0,len(p),len(p))+p)



# Content-Length values that crashed `show` and `check` before issue 13 (an Int overflow in the
# HTTP tracker, a range trap in the judge): tcplab must read each as the invalid field it is.
write('content-length-int64-max.pcap', b'9223372036854775807')
write('content-length-negative.pcap', b'-1000')
write('content-length-18-digits.pcap', b'999999999999999999')
