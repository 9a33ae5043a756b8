"""Part 2: a web server for the lab's files. One request per connection: read it, send the
file with its Content-Length (or 404), close.

usage: file_server.py PORT ROOT
"""
import os
import socket
import sys

TYPES = {".html": "text/html", ".ico": "image/x-icon", ".jpg": "image/jpeg", ".png": "image/png"}


def respond(connection, root):
    request = connection.recv(1024).decode(errors="replace")
    if not request:
        return
    parts = request.split("\r\n")[0].split()
    path = parts[1] if len(parts) >= 2 else "/"
    name = "index.html" if path == "/" else path.lstrip("/")
    full = os.path.join(root, name)
    if ".." in name or not os.path.isfile(full):
        body = b"Not Found"
        head = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)
    else:
        with open(full, "rb") as f:
            body = f.read()
        kind = TYPES.get(os.path.splitext(name)[1], "application/octet-stream")
        head = "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (kind, len(body))
    connection.sendall(head.encode() + body)


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen(5)
    print("The server is ready to receive")
    while True:
        connection, address = server.accept()
        respond(connection, root)
        connection.close()


if __name__ == "__main__":
    main()
