"""Eight organisations for the action-list suite: the three examples and five written from the issue (15)."""

from pathlib import Path

from tebiki.core.profile import Profile, parse_profile
from tebiki.documents.files import load_profile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _dept(id_, name, people, methods, equipment, work_forms=("home",), **extra):
    return {"id": id_, "name": name, "people": people, "methods": list(methods), "work_forms": list(work_forms),
            "equipment": [{"kind": k, "owner": o} for k, o in equipment], **extra}


COMPANY_PC = [("pc", "company")]
OWN = [("pc", "private"), ("mobile", "private")]

PROFILES: dict[str, dict] = {
    # a 9-person tax office working only in the cloud on the staff's own PCs and phones
    "cloud_byod_tax": {
        "name": "みどり税理士事務所", "size": 9, "admin": "outsourced",
        "departments": [_dept("all", "所員", 9, ["cloud_service"], OWN)],
        "cloud": ["mail", "file_sharing", "meeting", "saas"], "wifi": ["home"],
        "information": ["personal_data", "my_number"],
    },
    # a 40-person design office on VDI, with a field team that works standalone and carries data on USB sticks
    "vdi_design": {
        "name": "青山デザイン事務所", "size": 40, "active_directory": True,
        "departments": [
            _dept("design", "デザイン部", 25, ["vdi"], COMPANY_PC),
            _dept("field", "現場チーム", 5, ["standalone"], COMPANY_PC, work_forms=("mobile",), removable_media=True),
            _dept("admin", "管理部", 10, ["vpn"], COMPANY_PC),
        ],
        "cloud": ["mail"], "wifi": ["home"], "information": ["customer_confidential"],
    },
    # a large mixed firm
    "large_mixed": {
        "name": "大和総合商事株式会社", "size": 900, "active_directory": True, "local_breakout": True,
        "departments": [
            _dept("hq", "本社部門", 300, ["vdi", "cloud_service"], [("pc", "company"), ("mobile", "company")],
                  work_forms=("home", "satellite")),
            _dept("sales", "営業本部", 250, ["vpn", "cloud_service"], [("pc", "company"), ("mobile", "company")],
                  work_forms=("home", "mobile")),
            _dept("plant", "工場", 60, ["standalone"], COMPANY_PC, work_forms=("satellite",)),
            _dept("partners", "協力会社", 40, ["secure_browser"], [("mobile", "private")], work_forms=("mobile",)),
            _dept("it", "情報システム部", 30, ["cloud_service", "vpn"], COMPANY_PC, cloud=["iaas", "saas", "mail"]),
        ],
        "cloud": ["mail", "chat", "meeting", "file_sharing", "saas"], "wifi": ["home", "public"],
        "external_media": True, "information": ["personal_data", "my_number", "customer_confidential"],
    },
    # one person on a private PC and phone, cloud mail and SaaS
    "one_person": {
        "name": "山本行政書士事務所", "size": 1, "admin": "outsourced",
        "departments": [_dept("me", "代表", 1, ["cloud_service"], OWN, work_forms=("home", "mobile"))],
        "cloud": ["mail", "saas"], "wifi": ["home", "public"], "information": ["personal_data"],
    },
}


def profile(name: str) -> Profile:
    """One of the suite's organisations by name; the examples by file stem."""
    if name in PROFILES:
        return parse_profile(PROFILES[name])
    return load_profile(EXAMPLES / f"{name}.yaml")


# the 30-person manufacturer is an example file (version 2): examples/vpn-manufacturer.yaml
NAMES = ["accounting-office", "manufacturer", "professional-firm", "vpn-manufacturer", *PROFILES]
