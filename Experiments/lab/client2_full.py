"""Version 2 made deterministic: send "Hello! Hello, World!" and read until all 20 bytes are back
(the server replies 5 bytes at a time), then close, as experiment-2's scripted client does."""
import socket
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    message = "Hello! Hello, World!"
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((host, port))
    client.send(message.encode())
    reply = b""
    while len(reply) < len(message):
        data = client.recv(1024)
        if not data:
            break
        reply += data
    print("from server:", reply.decode())
    client.close()


if __name__ == "__main__":
    main()
