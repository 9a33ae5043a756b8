"""Version 3: the server sends back 1000x what it read; the client reads 1024 bytes twice and closes."""
import socket
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((host, port))
    client.send("Hello, World!".encode())
    first = client.recv(1024)
    second = client.recv(1024)
    print("from server:", len(first) + len(second), "bytes")
    client.close()


if __name__ == "__main__":
    main()
