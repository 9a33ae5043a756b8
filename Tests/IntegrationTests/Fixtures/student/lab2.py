#!/usr/bin/env python3
"""A student's experiment 2, as the lab asks for it: the server reads 5 bytes at a time and
sends each piece back in upper case; the client sends "Hello! Hello, World!" and reads until
it has 20 bytes, then closes. Runs both on 127.0.0.1:12345 in one process."""
import socket
import threading

ready = threading.Event()


def server():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 12345))
    listener.listen(1)
    ready.set()
    conn, _ = listener.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        piece = conn.recv(5)
        if not piece:
            break
        conn.sendall(piece.upper())
    conn.close()
    listener.close()


thread = threading.Thread(target=server)
thread.start()
ready.wait()
client = socket.create_connection(("127.0.0.1", 12345))
client.sendall(b"Hello! Hello, World!")
received = b""
while len(received) < 20:
    chunk = client.recv(20 - len(received))
    if not chunk:
        break
    received += chunk
client.close()
thread.join()
print(received.decode())
