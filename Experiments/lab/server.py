"""The lab's upper-case server, versions 1-4: read, send back in upper case, until the client closes.

usage: server.py PORT READSIZE [--times N] [--sleep SECONDS]
"""
import socket
import sys
import time


def main():
    port = int(sys.argv[1])
    read_size = int(sys.argv[2])
    times = int(sys.argv[sys.argv.index("--times") + 1]) if "--times" in sys.argv else 1
    pause = float(sys.argv[sys.argv.index("--sleep") + 1]) if "--sleep" in sys.argv else 0
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen(1)
    print("The server is ready to receive")
    while True:
        connection, address = server.accept()
        print("connection from", address)
        try:
            while True:
                if pause:
                    time.sleep(pause)
                data = connection.recv(read_size)
                if not data:
                    break
                print("received", len(data), "bytes")
                connection.send(data.upper() * times)
        except (ConnectionResetError, BrokenPipeError) as error:
            # Versions 2 and 3's clients close while data is still coming, so their kernel resets
            # the connection: the next recv() or send() here fails, and the lab's server, which
            # does not catch it, would stop with a traceback.
            print("the client reset the connection:", error)
        connection.close()


if __name__ == "__main__":
    main()
