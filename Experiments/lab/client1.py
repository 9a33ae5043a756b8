"""Version 1: send "Hello, World!", read the reply once, close."""
import socket
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((host, port))
    client.send("Hello, World!".encode())
    reply = client.recv(1024)
    print("from server:", reply.decode())
    client.close()


if __name__ == "__main__":
    main()
