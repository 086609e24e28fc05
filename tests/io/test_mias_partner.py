from mammoviewer.io.pairing import mias_partner


def test_mias_partner_numbering() -> None:
    assert mias_partner("mdb001") == "mdb002" and mias_partner("mdb002") == "mdb001"
    assert mias_partner("mdb023") == "mdb024" and mias_partner("MDB322") == "MDB321"
    assert mias_partner("scan7") is None and mias_partner("mdb000") is None
