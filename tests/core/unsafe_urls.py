"""URLs the SSRF check refuses, with a phrase its message must contain."""

# Every case the issue lists, plus the encodings and wrappers the brief names.
REFUSED = [
    ("https://127.0.0.1/hook", "127.0.0.1 is loopback"),
    ("https://10.0.0.1/hook", "10.0.0.1 is private"),
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is link-local"),
    ("https://100.64.0.1/hook", "100.64.0.1 is shared"),
    ("https://[::1]/hook", "::1 is loopback"),
    ("https://[::ffff:127.0.0.1]/hook", "127.0.0.1"),
    ("https://[::ffff:10.0.0.1]/hook", "10.0.0.1"),
    ("https://0.0.0.0/hook", "0.0.0.0 is unspecified"),
    ("https://[::]/hook", "is unspecified"),
    ("https://2130706433/hook", "non-standard form"),
    ("https://0x7f000001/hook", "non-standard form"),
    ("https://0177.0.0.1/hook", "non-standard form"),
    ("https://127.1/hook", "non-standard form"),
    ("https://[64:ff9b::a00:1]/hook", "embedded 10.0.0.1"),
    ("https://[64:ff9b::7f00:1]/hook", "embedded 127.0.0.1"),
    ("https://[2002:a00:1::1]/hook", "embedded 10.0.0.1"),  # 6to4
    ("https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook", "embedded 10.0.0.1"),  # Teredo
    ("https://[fe80::1]/hook", "link-local"),
    ("https://[fc00::1]/hook", "private"),
    ("https://224.0.0.1/hook", "multicast"),
    ("https://[ff02::1]/hook", "multicast"),
    ("https://240.0.0.1/hook", "240.0.0.1 is"),
    ("https://192.168.1.1/hook", "private"),
    ("https://172.16.0.1/hook", "private"),
    ("https://localhost/hook", "(localhost resolves to it)"),
    ("https://localhost./hook", "loopback"),
]
