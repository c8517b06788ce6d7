def signer(**kw) -> dict:
    data = {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.org", "postal_code": "05401"}
    data.update(kw)
    return data


def sign_url(slug: str) -> str:
    return f"/api/v1/petitions/{slug}/signatures/"
