"""The keyring: authenticated encryption under a key list, and keyed hashes (no app needed)."""

import pytest

from competitions.core.crypto import Keyring, UnreadableValue, split_keys

NUMBER = "37010219900101001X"


def test_values_round_trip_and_differ_each_time():
    ring = Keyring(["k1"], "i")
    first, second = ring.encrypt_text(NUMBER), ring.encrypt_text(NUMBER)
    assert first != second and NUMBER not in first
    assert ring.decrypt_text(first) == ring.decrypt_text(second) == NUMBER
    assert ring.decrypt_bytes(ring.encrypt_bytes(b"a,b\n")) == b"a,b\n"


def test_the_first_key_encrypts_and_any_key_of_the_list_decrypts():
    old = Keyring(["old"], "i")
    stored = old.encrypt_text(NUMBER)
    both = Keyring(split_keys(" new , old "), "i")
    assert both.decrypt_text(stored) == NUMBER
    assert not both.is_current(stored) and both.is_current(both.encrypt_text(NUMBER))
    with pytest.raises(UnreadableValue, match="was it dropped"):
        Keyring(["new"], "i").decrypt_text(stored)


@pytest.mark.parametrize(
    "stored",
    [NUMBER, "", "zz$abc", "13812345678"],
)
def test_what_is_not_ours_is_refused_without_repeating_it(stored):
    with pytest.raises(UnreadableValue) as refused:
        Keyring(["k"], "i").decrypt_text(stored)
    assert not stored or stored not in str(refused.value)


def test_a_changed_value_is_refused():
    ring = Keyring(["k"], "i")
    kid, box = ring.encrypt_text(NUMBER).split("$")
    changed = box[:-4] + ("AAAA" if box[-4:] != "AAAA" else "BBBB")
    with pytest.raises(UnreadableValue, match="changed"):
        ring.decrypt_text(f"{kid}${changed}")


def test_lookup_hashes_depend_on_the_index_key_only():
    assert Keyring(["a"], "i").lookup_hash(NUMBER) == Keyring(["b"], "i").lookup_hash(NUMBER)
    assert Keyring(["a"], "i").lookup_hash(NUMBER) != Keyring(["a"], "j").lookup_hash(NUMBER)
    assert len(Keyring(["a"], "i").lookup_hash(NUMBER)) == 64
