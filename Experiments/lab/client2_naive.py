"""Version 2 as many students first write it: one recv(1024), then close.

The server answers in 5-byte pieces, so one read may return only the first piece; the client
then closes with the rest unread, and Linux resets the connection instead of closing it.
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
