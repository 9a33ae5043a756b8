"""Version 0, the name exchange: read the client's names once, send them back in upper case, close."""
import socket
import sys


def main():
    port = int(sys.argv[1])
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen(1)
    print("The server is ready to receive")
    while True:
        connection, address = server.accept()
        names = connection.recv(1024).decode()
        print("received", names.strip())
        connection.send(names.upper().encode())
        connection.close()


if __name__ == "__main__":
    main()
