import hashlib
import hmac

from pipelines.contract import identity

# RFC 4231 test cases 1 and 6 (a key longer than SHA-256's block is hashed first)
SHORT_KEY, SHORT_DATA = b"\x0b" * 20, "Hi There"
SHORT_MAC = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
LONG_KEY, LONG_DATA = b"\xaa" * 131, "Test Using Larger Than Block-Size Key - Hash Key First"
LONG_MAC = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"


def test_case_key_is_hmac_sha256_of_the_crn():
    assert identity.case_key(SHORT_DATA, SHORT_KEY) == SHORT_MAC
    assert identity.case_key(LONG_DATA, LONG_KEY) == LONG_MAC


def test_case_keys_of_many_crns_are_the_standard_library_hmac_of_each():
    assert identity.case_keys([SHORT_DATA, LONG_DATA], SHORT_KEY)[0] == SHORT_MAC
    assert identity.case_keys([LONG_DATA, "A000001"], LONG_KEY)[0] == LONG_MAC
    for secret in (b"s", b"a-64-byte-secret".ljust(64, b"!"), b"k" * 65):  # block edges
        crns = ["A000001", "Z999999", ""]
        assert identity.case_keys(crns, secret) == [
            hmac.new(secret, c.encode(), hashlib.sha256).hexdigest() for c in crns
        ]
    assert identity.case_keys([], b"s") == []
