"""Version 4: four sends of "Hello, World!" x 10 in a row, one read, close; the server sleeps 5 s before each read."""
import socket
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((host, port))
    for _ in range(4):
        client.send(("Hello, World!" * 10).encode())
    reply = client.recv(1024)
    print("from server:", len(reply), "bytes")
    client.close()


if __name__ == "__main__":
    main()
