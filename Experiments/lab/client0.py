"""Version 0, the name exchange: send two names, read the reply until the server closes."""
import socket
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((host, port))
    client.send("Ada Lovelace and Alan Turing\n".encode())
    reply = b""
    while True:
        data = client.recv(1024)
        if not data:
            break
        reply += data
    print("from server:", reply.decode().strip())
    client.close()


if __name__ == "__main__":
    main()
