"""A one-mount RTSP server (GStreamer's rtsp-server) serving an MJPEG Matroska file, for the stream fault tests. Run with the system Python (python3-gi):

    /usr/bin/python3 tests/helpers/gst_rtsp_server.py PORT FILE.mkv

Serves rtsp://127.0.0.1:PORT/live on loopback only; prints "ready" when listening.
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    port, path = sys.argv[1], sys.argv[2]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(f"( filesrc location={path} ! matroskademux ! jpegparse "
                       "! rtpjpegpay name=pay0 pt=26 )")
    factory.set_shared(True)
    server.get_mount_points().add_factory("/live", factory)
    if server.attach(None) == 0:
        print("cannot listen", flush=True)
        sys.exit(1)
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
