"""Version 2 as the lab writes it: send "Hello! Hello, World!", one recv(1024), close.

The server answers in 5-byte pieces, so the one read may return only the first piece; the client
then closes while the rest is still coming, and Linux resets the connection instead of closing
it (client2_full.py reads until all 20 bytes are back).
"""
import socket
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((host, port))
    client.send("Hello! Hello, World!".encode())
    reply = client.recv(1024)
    print("from server:", reply.decode())
    client.close()


if __name__ == "__main__":
    main()
