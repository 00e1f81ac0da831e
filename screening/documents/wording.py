"""Fixed wording of result documents and verdicts in English, Thai and Lao."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

WORDING_LANGUAGES = ("en", "th", "lo")

# Each language named in its own script, as people look for it.
LANGUAGE_NAMES = {
    "en": "English",
    "th": "ไทย",
    "lo": "ລາວ",
    "my": "မြန်မာ",
    "km": "ខ្មែរ",
    "vi": "Tiếng Việt",
    "zh": "中文",
}

_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "th": [
        "มกราคม",
        "กุมภาพันธ์",
        "มีนาคม",
        "เมษายน",
        "พฤษภาคม",
        "มิถุนายน",
        "กรกฎาคม",
        "สิงหาคม",
        "กันยายน",
        "ตุลาคม",
        "พฤศจิกายน",
        "ธันวาคม",
    ],
    "lo": [
        "ມັງກອນ",
        "ກຸມພາ",
        "ມີນາ",
        "ເມສາ",
        "ພຶດສະພາ",
        "ມິຖຸນາ",
        "ກໍລະກົດ",
        "ສິງຫາ",
        "ກັນຍາ",
        "ຕຸລາ",
        "ພະຈິກ",
        "ທັນວາ",
    ],
}

TEXTS: dict[str, dict[str, str]] = {
    "title": {
        "en": "Screening result: indicators of human trafficking",
        "th": "ผลการคัดกรองข้อบ่งชี้การค้ามนุษย์",
        "lo": "ຜົນການຄັດກອງຕົວຊີ້ບອກການຄ້າມະນຸດ",
    },
    "band.likely.label": {
        "en": "Likely victim of trafficking",
        "th": "น่าจะเป็นผู้เสียหายจากการค้ามนุษย์",
        "lo": "ມີຄວາມເປັນໄປໄດ້ສູງວ່າເປັນຜູ້ຖືກເຄາະຮ້າຍຈາກການຄ້າມະນຸດ",
    },
    "band.likely": {
        "en": "Likely victim of trafficking under the common standard. Refer for "
        "formal identification, protection and assistance.",
        "th": "น่าจะเป็นผู้เสียหายจากการค้ามนุษย์ตามมาตรฐานร่วม "
        "ให้ส่งต่อเพื่อการคัดแยกผู้เสียหายอย่างเป็นทางการ การคุ้มครอง และการช่วยเหลือ",
        "lo": "ມີຄວາມເປັນໄປໄດ້ສູງວ່າເປັນຜູ້ຖືກເຄາະຮ້າຍຈາກການຄ້າມະນຸດ ຕາມມາດຕະຖານຮ່ວມ. "
        "ໃຫ້ສົ່ງຕໍ່ເພື່ອການກຳນົດຕົວຜູ້ຖືກເຄາະຮ້າຍຢ່າງເປັນທາງການ, ການປົກປ້ອງ ແລະ ການຊ່ວຍເຫຼືອ.",
    },
    "band.possible.label": {
        "en": "Possible victim of trafficking",
        "th": "อาจเป็นผู้เสียหายจากการค้ามนุษย์",
        "lo": "ອາດເປັນຜູ້ຖືກເຄາະຮ້າຍຈາກການຄ້າມະນຸດ",
    },
    "band.possible": {
        "en": "Possible victim of trafficking. Further assessment needed; refer and "
        "arrange a follow-up interview.",
        "th": "อาจเป็นผู้เสียหายจากการค้ามนุษย์ ต้องประเมินเพิ่มเติม ให้ส่งต่อและนัดสัมภาษณ์ติดตามผล",
        "lo": "ອາດເປັນຜູ້ຖືກເຄາະຮ້າຍຈາກການຄ້າມະນຸດ. ຕ້ອງປະເມີນເພີ່ມເຕີມ; ໃຫ້ສົ່ງຕໍ່ ແລະ ນັດສຳພາດຕິດຕາມ.",
    },
    "band.not_established.label": {
        "en": "Trafficking indicators not established at this screening",
        "th": "ไม่พบข้อบ่งชี้การค้ามนุษย์ที่ชัดเจนในการคัดกรองครั้งนี้",
        "lo": "ບໍ່ພົບຕົວຊີ້ບອກການຄ້າມະນຸດທີ່ຈະແຈ້ງໃນການຄັດກອງຄັ້ງນີ້",
    },
    "band.not_established": {
        "en": "Trafficking indicators were not established at this screening. This "
        "does not mean the person is not a victim; offer information, services and "
        "a way to be screened again.",
        "th": "ไม่พบข้อบ่งชี้การค้ามนุษย์ที่ชัดเจนในการคัดกรองครั้งนี้ "
        "ซึ่งไม่ได้หมายความว่าบุคคลนี้ไม่ใช่ผู้เสียหาย "
        "ให้ข้อมูล บริการ และช่องทางในการคัดกรองอีกครั้ง",
        "lo": "ບໍ່ພົບຕົວຊີ້ບອກການຄ້າມະນຸດທີ່ຈະແຈ້ງໃນການຄັດກອງຄັ້ງນີ້. "
        "ນີ້ບໍ່ໄດ້ໝາຍຄວາມວ່າບຸກຄົນນີ້ບໍ່ແມ່ນຜູ້ຖືກເຄາະຮ້າຍ; "
        "ໃຫ້ສະເໜີຂໍ້ມູນ, ການບໍລິການ ແລະ ຊ່ອງທາງໃນການຄັດກອງຄືນໃໝ່.",
    },
    "referral_threshold": {
        "en": "Screening is a referral threshold, not a legal finding.",
        "th": "การคัดกรองเป็นเกณฑ์สำหรับการส่งต่อ ไม่ใช่คำวินิจฉัยทางกฎหมาย",
        "lo": "ການຄັດກອງແມ່ນເກນສຳລັບການສົ່ງຕໍ່, ບໍ່ແມ່ນຄຳຕັດສິນທາງກົດໝາຍ.",
    },
    "non_punishment.title": {
        "en": "Non-punishment principle",
        "th": "หลักการไม่ลงโทษผู้เสียหาย",
        "lo": "ຫຼັກການບໍ່ລົງໂທດຜູ້ຖືກເຄາະຮ້າຍ",
    },
    "non_punishment": {
        "en": "Acts the person was forced to commit, such as running scams, crossing "
        "a border irregularly, sex work or using false documents, are indicators of "
        "trafficking. They are no reason to punish, detain or exclude the person.",
        "th": "การกระทำที่บุคคลถูกบังคับให้ทำ เช่น การหลอกลวงทางออนไลน์ "
        "การข้ามแดนโดยไม่ถูกต้อง การค้าบริการทางเพศ หรือการใช้เอกสารปลอม "
        "เป็นข้อบ่งชี้ของการค้ามนุษย์ ไม่ใช่เหตุในการลงโทษ กักขัง "
        "หรือตัดสิทธิ์บุคคลนี้",
        "lo": "ການກະທຳທີ່ບຸກຄົນຖືກບັງຄັບໃຫ້ເຮັດ ເຊັ່ນ: ການຕົ້ມຕຸ໋ນທາງອອນລາຍ, "
        "ການຂ້າມຊາຍແດນແບບບໍ່ຖືກຕ້ອງ, ການຂາຍບໍລິການທາງເພດ ຫຼື ການໃຊ້ເອກະສານປອມ "
        "ແມ່ນຕົວຊີ້ບອກຂອງການຄ້າມະນຸດ. ສິ່ງເຫຼົ່ານີ້ບໍ່ແມ່ນເຫດຜົນໃນການລົງໂທດ, "
        "ກັກຂັງ ຫຼື ຕັດສິດບຸກຄົນນີ້.",
    },
    "result": {"en": "Result", "th": "ผลการคัดกรอง", "lo": "ຜົນການຄັດກອງ"},
    "elements": {
        "en": "Elements of trafficking",
        "th": "องค์ประกอบของการค้ามนุษย์",
        "lo": "ອົງປະກອບຂອງການຄ້າມະນຸດ",
    },
    "element.act": {"en": "Act", "th": "การกระทำ", "lo": "ການກະທຳ"},
    "element.means": {"en": "Means", "th": "วิธีการ", "lo": "ວິທີການ"},
    "element.purpose": {
        "en": "Purpose (exploitation)",
        "th": "วัตถุประสงค์ (การแสวงประโยชน์)",
        "lo": "ຈຸດປະສົງ (ການຂູດຮີດ)",
    },
    "established": {"en": "established", "th": "พบ", "lo": "ພົບ"},
    "not_established": {"en": "not established", "th": "ไม่พบ", "lo": "ບໍ່ພົບ"},
    "dimensions": {
        "en": "Explanation by dimension",
        "th": "คำอธิบายรายมิติ",
        "lo": "ຄຳອະທິບາຍຕາມມິຕິ",
    },
    "dimension.positive": {"en": "positive", "th": "เข้าเกณฑ์", "lo": "ເຂົ້າເກນ"},
    "dimension.negative": {
        "en": "not positive",
        "th": "ไม่เข้าเกณฑ์",
        "lo": "ບໍ່ເຂົ້າເກນ",
    },
    "pattern": {"en": "pattern", "th": "รูปแบบ", "lo": "ຮູບແບບ"},
    "no_yes_indicators": {
        "en": "no indicator answered yes",
        "th": "ไม่มีข้อบ่งชี้ที่ตอบว่าใช่",
        "lo": "ບໍ່ມີຕົວຊີ້ບອກທີ່ຕອບວ່າແມ່ນ",
    },
    # The same words as the result page (tests/documents/test_wording.py).
    "strength.S": {"en": "strong", "th": "สูง", "lo": "ສູງ"},
    "strength.M": {"en": "medium", "th": "ปานกลาง", "lo": "ປານກາງ"},
    "strength.W": {"en": "weak", "th": "ต่ำ", "lo": "ຕ່ຳ"},
    "pattern.a": {
        "en": "two or more strong indicators",
        "th": "ข้อบ่งชี้ระดับสูงตั้งแต่สองข้อขึ้นไป",
        "lo": "ຕົວຊີ້ບອກລະດັບສູງຕັ້ງແຕ່ສອງຂໍ້ຂຶ້ນໄປ",
    },
    "pattern.b": {
        "en": "one strong indicator and at least one medium or weak",
        "th": "ข้อบ่งชี้ระดับสูงหนึ่งข้อ และระดับปานกลางหรือต่ำอย่างน้อยหนึ่งข้อ",
        "lo": "ຕົວຊີ້ບອກລະດັບສູງໜຶ່ງຂໍ້ ແລະ ລະດັບປານກາງ ຫຼື ຕ່ຳຢ່າງໜ້ອຍໜຶ່ງຂໍ້",
    },
    "pattern.c": {
        "en": "three or more medium indicators",
        "th": "ข้อบ่งชี้ระดับปานกลางตั้งแต่สามข้อขึ้นไป",
        "lo": "ຕົວຊີ້ບອກລະດັບປານກາງຕັ້ງແຕ່ສາມຂໍ້ຂຶ້ນໄປ",
    },
    "pattern.d": {
        "en": "two medium indicators and at least one weak",
        "th": "ข้อบ่งชี้ระดับปานกลางสองข้อ และระดับต่ำอย่างน้อยหนึ่งข้อ",
        "lo": "ຕົວຊີ້ບອກລະດັບປານກາງສອງຂໍ້ ແລະ ລະດັບຕ່ຳຢ່າງໜ້ອຍໜຶ່ງຂໍ້",
    },
    "other_indicators": {
        "en": "Act and forms of exploitation",
        "th": "การกระทำและรูปแบบการแสวงประโยชน์",
        "lo": "ການກະທຳ ແລະ ຮູບແບບການຂູດຮີດ",
    },
    "uncertain": {
        "en": "Unknown or declined answers that could change the result",
        "th": "คำตอบที่ไม่ทราบหรือไม่ขอตอบ ซึ่งอาจเปลี่ยนผลการคัดกรอง",
        "lo": "ຄຳຕອບທີ່ບໍ່ຮູ້ ຫຼື ບໍ່ຂໍຕອບ ເຊິ່ງອາດປ່ຽນຜົນການຄັດກອງ",
    },
    "uncertain.likely": {
        "en": "Unknown or declined answers (the result is “likely victim” already: "
        "they cannot change it)",
        "th": "คำตอบที่ไม่ทราบหรือไม่ขอตอบ (ผลเป็น “น่าจะเป็นผู้เสียหาย” แล้ว "
        "คำตอบเหล่านี้จึงไม่เปลี่ยนผล)",
        "lo": "ຄຳຕອບທີ່ບໍ່ຮູ້ ຫຼື ບໍ່ຂໍຕອບ (ຜົນເປັນ “ມີຄວາມເປັນໄປໄດ້ສູງວ່າເປັນຜູ້ຖືກເຄາະຮ້າຍ” "
        "ແລ້ວ, ຄຳຕອບເຫຼົ່ານີ້ຈຶ່ງບໍ່ປ່ຽນຜົນ)",
    },
    "inconclusive": {
        "en": "If the following “unknown” or “declined” answers are taken as “yes”, "
        "the result would be “likely victim”:",
        "th": "หากถือว่าคำตอบ “ไม่ทราบ” หรือ “ไม่ขอตอบ” ต่อไปนี้เป็น “ใช่” "
        "ผลจะเป็น “น่าจะเป็นผู้เสียหาย”:",
        "lo": "ຖ້າຖືວ່າຄຳຕອບ “ບໍ່ຮູ້” ຫຼື “ບໍ່ຂໍຕອບ” ຕໍ່ໄປນີ້ເປັນ “ແມ່ນ”, "
        "ຜົນຈະເປັນ “ມີຄວາມເປັນໄປໄດ້ສູງວ່າເປັນຜູ້ຖືກເຄາະຮ້າຍ”:",
    },
    "state.unknown": {"en": "unknown", "th": "ไม่ทราบ", "lo": "ບໍ່ຮູ້"},
    "state.declined": {
        "en": "declined",
        "th": "ไม่ขอตอบ",
        "lo": "ບໍ່ຂໍຕອບ",
    },
    "flag.labour_rights": {
        "en": "Advisory: exploitative working conditions without established means; "
        "consider a labour-rights referral.",
        "th": "ข้อสังเกต: พบสภาพการทำงานที่เป็นการแสวงประโยชน์แต่ไม่พบวิธีการ "
        "ควรพิจารณาส่งต่อด้านสิทธิแรงงาน",
        "lo": "ຂໍ້ສັງເກດ: ພົບສະພາບການເຮັດວຽກທີ່ເປັນການຂູດຮີດ ແຕ່ບໍ່ພົບວິທີການ; "
        "ຄວນພິຈາລະນາສົ່ງຕໍ່ດ້ານສິດທິແຮງງານ.",
    },
    "profile": {"en": "Profile", "th": "กลุ่มบุคคล", "lo": "ກຸ່ມບຸກຄົນ"},
    "profile.adult": {"en": "adult", "th": "ผู้ใหญ่", "lo": "ຜູ້ໃຫຍ່"},
    "profile.child": {
        "en": "child (under 18, or may be)",
        "th": "เด็ก (อายุต่ำกว่า 18 ปี หรืออาจเป็นเด็ก)",
        "lo": "ເດັກ (ອາຍຸຕ່ຳກວ່າ 18 ປີ ຫຼື ອາດເປັນເດັກ)",
    },
    "interview": {"en": "Interview", "th": "การสัมภาษณ์", "lo": "ການສຳພາດ"},
    "interview_date": {"en": "Date", "th": "วันที่", "lo": "ວັນທີ"},
    "interview_place": {"en": "Place", "th": "สถานที่", "lo": "ສະຖານທີ່"},
    "interview_language": {
        "en": "Interview language",
        "th": "ภาษาที่ใช้สัมภาษณ์",
        "lo": "ພາສາທີ່ໃຊ້ສຳພາດ",
    },
    "interpreter": {"en": "Interpreter", "th": "ล่าม", "lo": "ນາຍພາສາ"},
    "interpreter.none": {
        "en": "no interpreter",
        "th": "ไม่ใช้ล่าม",
        "lo": "ບໍ່ໃຊ້ນາຍພາສາ",
    },
    "interviewer": {"en": "Interviewer", "th": "ผู้สัมภาษณ์", "lo": "ຜູ້ສຳພາດ"},
    "consent_screening": {
        "en": "Consent to screening",
        "th": "ความยินยอมให้คัดกรอง",
        "lo": "ຄວາມເຫັນດີໃຫ້ຄັດກອງ",
    },
    "consent_sharing": {
        # Pango finds no word boundaries in Lao: zero-width spaces between the
        # words let this long label wrap in its narrow cell without splitting
        # a word.
        "en": "Consent to sharing with the counterpart agency",
        "th": "ความยินยอมให้ส่งข้อมูลข้ามแดนให้หน่วยงานภาคีอีกฝั่งของชายแดน",
        "lo": "ຄວາມເຫັນດີ\u200bໃຫ້\u200bສົ່ງ\u200bຂໍ້ມູນ\u200bຂ້າມແດນ\u200bໃຫ້\u200b"
        "ໜ່ວຍງານ\u200bຄູ່ຮ່ວມມື\u200bຢູ່\u200bອີກຟາກ\u200bຂອງ\u200bຊາຍແດນ",
    },
    "consent_referral": {
        "en": "Consent to referral",
        "th": "ความยินยอมให้ส่งต่อ",
        "lo": "ຄວາມເຫັນດີໃຫ້ສົ່ງຕໍ່",
    },
    "answer.yes": {"en": "yes", "th": "ใช่", "lo": "ແມ່ນ"},
    "answer.no": {"en": "no", "th": "ไม่ใช่", "lo": "ບໍ່ແມ່ນ"},
    "answer.dont_know": {"en": "don't know", "th": "ไม่ทราบ", "lo": "ບໍ່ຮູ້"},
    "answer.declined": {
        "en": "prefers not to say",
        "th": "ไม่ขอตอบ",
        "lo": "ບໍ່ຂໍຕອບ",
    },
    "answer.missing": {"en": "not recorded", "th": "ไม่ได้บันทึก", "lo": "ບໍ່ໄດ້ບັນທຶກ"},
    "person": {
        "en": "The person interviewed",
        "th": "ผู้ให้สัมภาษณ์",
        "lo": "ຜູ້ໃຫ້ສຳພາດ",
    },
    "full_name": {"en": "Name", "th": "ชื่อ", "lo": "ຊື່"},
    "date_of_birth": {"en": "Date of birth", "th": "วันเกิด", "lo": "ວັນເດືອນປີເກີດ"},
    "document_number": {
        "en": "Identity document number",
        "th": "เลขที่เอกสารประจำตัว",
        "lo": "ເລກທີເອກະສານປະຈຳຕົວ",
    },
    "nationality": {"en": "Nationality", "th": "สัญชาติ", "lo": "ສັນຊາດ"},
    "age_now": {"en": "Age", "th": "อายุ", "lo": "ອາຍຸ"},
    "sex": {"en": "Sex", "th": "เพศ", "lo": "ເພດ"},
    "reference": {
        "en": "Pseudonymous reference",
        "th": "รหัสอ้างอิงแทนชื่อ",
        "lo": "ລະຫັດອ້າງອີງແທນຊື່",
    },
    "identity_withheld": {
        "en": "The person did not consent to sharing: identity details are left out.",
        "th": "ผู้ให้สัมภาษณ์ไม่ได้ยินยอมให้ส่งข้อมูลข้ามแดน จึงไม่แสดงข้อมูลระบุตัวตน",
        "lo": "ຜູ້ໃຫ້ສຳພາດບໍ່ໄດ້ເຫັນດີໃຫ້ສົ່ງຂໍ້ມູນຂ້າມແດນ ຈຶ່ງບໍ່ສະແດງຂໍ້ມູນລະບຸຕົວຕົນ.",
    },
    "issuer": {"en": "Issued by", "th": "ออกโดย", "lo": "ອອກໂດຍ"},
    "issued_at": {"en": "Date of issue", "th": "วันที่ออกเอกสาร", "lo": "ວັນທີອອກເອກະສານ"},
    "document_id": {"en": "Document ID", "th": "รหัสเอกสาร", "lo": "ລະຫັດເອກະສານ"},
    "supersedes": {
        "en": "Replaces document",
        "th": "ใช้แทนเอกสาร",
        "lo": "ໃຊ້ແທນເອກະສານ",
    },
    "versions": {
        "en": "Standard and questionnaire",
        "th": "มาตรฐานและแบบสอบถาม",
        "lo": "ມາດຕະຖານ ແລະ ແບບສອບຖາມ",
    },
    "standard": {"en": "Standard", "th": "มาตรฐาน", "lo": "ມາດຕະຖານ"},
    "questionnaire": {"en": "Questionnaire", "th": "แบบสอบถาม", "lo": "ແບບສອບຖາມ"},
    "verify_note": {
        "en": "To check this document, verify its digital signature or scan the QR "
        "code with the verifier of an agency that trusts the issuer.",
        "th": "ตรวจสอบเอกสารนี้ได้โดยตรวจลายมือชื่อดิจิทัล "
        "หรือสแกนคิวอาร์โค้ดด้วยระบบตรวจสอบของหน่วยงานที่เชื่อถือผู้ออกเอกสาร",
        "lo": "ກວດສອບເອກະສານນີ້ໄດ້ໂດຍກວດລາຍເຊັນດິຈິຕອນ "
        "ຫຼື ສະແກນຄິວອາໂຄດດ້ວຍລະບົບກວດສອບຂອງອົງການທີ່ເຊື່ອຖືຜູ້ອອກເອກະສານ.",
    },
    "signature_box": {
        "en": "Digital signature",
        "th": "ลายมือชื่อดิจิทัล",
        "lo": "ລາຍເຊັນດິຈິຕອນ",
    },
}


def text(key: str, language: str) -> str:
    """The fixed wording for key in a language, English when it has none."""
    entry = TEXTS[key]
    return entry.get(language) or entry["en"]


def labelled(label_key: str, value_key: str, language: str) -> str:
    """'Label: value' in one language.

    Thai and Lao write it as the web pages do (ผู้สัมภาษณ์: ..., ຜູ້ສຳພາດ: ...):
    the colon right after the label and a space before the value, as in English.
    """
    return f"{text(label_key, language)}: {text(value_key, language)}"


def document_languages(interview: str, second: str | None) -> tuple[str, ...]:
    """Languages a document is worded in: interview, second, then English."""
    wanted: Iterable[str | None] = (interview, second, "en")
    chosen: list[str] = []
    for language in wanted:
        if language in WORDING_LANGUAGES and language not in chosen:
            chosen.append(language)
    return tuple(chosen)


def format_date(value: dt.date, language: str) -> str:
    """A long date; Thai dates count years in the Buddhist era."""
    months = _MONTHS.get(language, _MONTHS["en"])
    month = months[value.month - 1]
    if language == "th":
        return f"{value.day} {month} พ.ศ. {value.year + 543}"
    return f"{value.day} {month} {value.year}"


def all_strings() -> Mapping[str, Mapping[str, str]]:
    """Every fixed string, document wording and verdicts alike."""
    return {**TEXTS, **VERDICTS}


# Verdicts of verification, one message per check outcome.
VERDICTS: dict[str, dict[str, str]] = {
    "verdict.valid": {
        "en": "Genuine: every check passed.",
        "th": "เอกสารถูกต้อง: ผ่านการตรวจสอบทุกข้อ",
        "lo": "ເອກະສານຖືກຕ້ອງ: ຜ່ານການກວດສອບທຸກຂໍ້.",
    },
    "verdict.invalid": {
        "en": "Not accepted: at least one check failed.",
        "th": "ไม่รับรอง: มีการตรวจสอบอย่างน้อยหนึ่งข้อที่ไม่ผ่าน",
        "lo": "ບໍ່ຮັບຮອງ: ມີການກວດສອບຢ່າງໜ້ອຍໜຶ່ງຂໍ້ທີ່ບໍ່ຜ່ານ.",
    },
    "verdict.unreadable": {
        "en": "This file cannot be verified.",
        "th": "ไม่สามารถตรวจสอบไฟล์นี้ได้",
        "lo": "ບໍ່ສາມາດກວດສອບໄຟລ໌ນີ້ໄດ້.",
    },
    "input.too_large": {
        "en": "The file is larger than the verifier accepts.",
        "th": "ไฟล์มีขนาดใหญ่เกินกว่าที่ระบบตรวจสอบรับได้",
        "lo": "ໄຟລ໌ມີຂະໜາດໃຫຍ່ເກີນກວ່າທີ່ລະບົບກວດສອບຮັບໄດ້.",
    },
    "input.not_pdf": {
        "en": "The file is not a PDF document.",
        "th": "ไฟล์นี้ไม่ใช่เอกสาร PDF",
        "lo": "ໄຟລ໌ນີ້ບໍ່ແມ່ນເອກະສານ PDF.",
    },
    "input.damaged": {
        "en": "The PDF is damaged and cannot be read.",
        "th": "ไฟล์ PDF เสียหายและอ่านไม่ได้",
        "lo": "ໄຟລ໌ PDF ເສຍຫາຍ ແລະ ອ່ານບໍ່ໄດ້.",
    },
    "input.encrypted": {
        "en": "The PDF is encrypted; result documents never are.",
        "th": "ไฟล์ PDF ถูกเข้ารหัส ซึ่งเอกสารผลการคัดกรองจะไม่ถูกเข้ารหัส",
        "lo": "ໄຟລ໌ PDF ຖືກເຂົ້າລະຫັດ ເຊິ່ງເອກະສານຜົນການຄັດກອງຈະບໍ່ຖືກເຂົ້າລະຫັດ.",
    },
    "input.not_checked": {
        "en": "The verifier could not start, so the file was not checked. Nothing "
        "is known to be wrong with it: try again, and tell the administrator if "
        "this happens again.",
        "th": "ระบบตรวจสอบเริ่มทำงานไม่ได้ จึงยังไม่ได้ตรวจสอบไฟล์นี้ "
        "ยังไม่พบว่าไฟล์มีปัญหา โปรดลองอีกครั้ง และแจ้งผู้ดูแลระบบหากยังเกิดขึ้นอีก",
        "lo": "ລະບົບກວດສອບເລີ່ມເຮັດວຽກບໍ່ໄດ້, ຈຶ່ງຍັງບໍ່ໄດ້ກວດສອບໄຟລ໌ນີ້. "
        "ຍັງບໍ່ພົບວ່າໄຟລ໌ມີບັນຫາ: ກະລຸນາລອງອີກຄັ້ງ ແລະ ແຈ້ງຜູ້ເບິ່ງແຍງລະບົບຖ້າຍັງເກີດຂຶ້ນອີກ.",
    },
    "input.too_complex": {
        "en": "The file is too complex to check safely. It was not verified: ask "
        "the issuing agency for the document again.",
        "th": "ไฟล์นี้ซับซ้อนเกินกว่าจะตรวจสอบได้อย่างปลอดภัย จึงยังไม่ได้ตรวจสอบ "
        "โปรดขอเอกสารจากหน่วยงานที่ออกเอกสารอีกครั้ง",
        "lo": "ໄຟລ໌ນີ້ຊັບຊ້ອນເກີນກວ່າຈະກວດສອບໄດ້ຢ່າງປອດໄພ, ຈຶ່ງຍັງບໍ່ໄດ້ກວດສອບ. "
        "ກະລຸນາຂໍເອກະສານຈາກໜ່ວຍງານທີ່ອອກເອກະສານອີກຄັ້ງ.",
    },
    "input.not_a_file": {
        "en": "This is not a file that can be read: a broken link, a special file "
        "or a file without permission to read it.",
        "th": "รายการนี้ไม่ใช่ไฟล์ที่อ่านได้ อาจเป็นลิงก์เสีย ไฟล์พิเศษ หรือไฟล์ที่ไม่มีสิทธิ์อ่าน",
        "lo": "ລາຍການນີ້ບໍ່ແມ່ນໄຟລ໌ທີ່ອ່ານໄດ້ ອາດເປັນລິ້ງທີ່ເສຍ, ໄຟລ໌ພິເສດ ຫຼື ໄຟລ໌ທີ່ບໍ່ມີສິດອ່ານ.",
    },
    "signature_intact.pass": {
        "en": "The signature is intact: the signed content has not changed.",
        "th": "ลายมือชื่อสมบูรณ์: เนื้อหาที่ลงนามไม่ถูกเปลี่ยนแปลง",
        "lo": "ລາຍເຊັນສົມບູນ: ເນື້ອຫາທີ່ລົງນາມບໍ່ຖືກປ່ຽນແປງ.",
    },
    "signature_intact.fail": {
        "en": "The signature does not match the content: the document was changed.",
        "th": "ลายมือชื่อไม่ตรงกับเนื้อหา: เอกสารถูกแก้ไข",
        "lo": "ລາຍເຊັນບໍ່ກົງກັບເນື້ອຫາ: ເອກະສານຖືກແກ້ໄຂ.",
    },
    "signature_intact.unsigned": {
        "en": "The document carries no signature.",
        "th": "เอกสารนี้ไม่มีลายมือชื่อดิจิทัล",
        "lo": "ເອກະສານນີ້ບໍ່ມີລາຍເຊັນດິຈິຕອນ.",
    },
    "covers_whole_file.pass": {
        "en": "The signature covers the whole file.",
        "th": "ลายมือชื่อครอบคลุมทั้งไฟล์",
        "lo": "ລາຍເຊັນຄອບຄຸມທັງໄຟລ໌.",
    },
    "covers_whole_file.fail": {
        "en": "Something was added to the file after it was signed.",
        "th": "มีการเพิ่มเนื้อหาในไฟล์หลังจากลงนามแล้ว",
        "lo": "ມີການເພີ່ມເນື້ອຫາໃນໄຟລ໌ຫຼັງຈາກລົງນາມແລ້ວ.",
    },
    "issuer_trusted.pass": {
        "en": "Issued by a trusted agency whose certificate was valid when it signed.",
        "th": "ออกโดยหน่วยงานที่เชื่อถือได้ และใบรับรองยังใช้ได้ขณะลงนาม",
        "lo": "ອອກໂດຍອົງການທີ່ເຊື່ອຖືໄດ້ ແລະ ໃບຢັ້ງຢືນຍັງໃຊ້ໄດ້ໃນເວລາລົງນາມ.",
    },
    "issuer_trusted.untrusted": {
        "en": "The signer is not in the trust list.",
        "th": "ผู้ลงนามไม่อยู่ในรายชื่อหน่วยงานที่เชื่อถือ",
        "lo": "ຜູ້ລົງນາມບໍ່ຢູ່ໃນລາຍຊື່ອົງການທີ່ເຊື່ອຖື.",
    },
    "issuer_trusted.not_valid_then": {
        "en": "The signer's certificate was not valid at the time of signing.",
        "th": "ใบรับรองของผู้ลงนามใช้ไม่ได้ในขณะที่ลงนาม",
        "lo": "ໃບຢັ້ງຢືນຂອງຜູ້ລົງນາມໃຊ້ບໍ່ໄດ້ໃນເວລາລົງນາມ.",
    },
    "issuer_trusted.no_time": {
        "en": "The signing time is missing or lies in the future.",
        "th": "ไม่มีเวลาลงนาม หรือเวลาลงนามอยู่ในอนาคต",
        "lo": "ບໍ່ມີເວລາລົງນາມ ຫຼື ເວລາລົງນາມຢູ່ໃນອະນາຄົດ.",
    },
    "record_readable.pass": {
        "en": "The embedded result record is present and names the signer.",
        "th": "มีบันทึกผลที่ฝังอยู่ในเอกสารและระบุผู้ลงนามตรงกัน",
        "lo": "ມີບັນທຶກຜົນທີ່ຝັງຢູ່ໃນເອກະສານ ແລະ ລະບຸຜູ້ລົງນາມກົງກັນ.",
    },
    "record_readable.missing": {
        "en": "The embedded result record is missing or unreadable.",
        "th": "ไม่พบบันทึกผลที่ฝังอยู่ หรืออ่านไม่ได้",
        "lo": "ບໍ່ພົບບັນທຶກຜົນທີ່ຝັງຢູ່ ຫຼື ອ່ານບໍ່ໄດ້.",
    },
    "record_readable.mismatch": {
        "en": "The embedded record names a different signer.",
        "th": "บันทึกผลที่ฝังอยู่ระบุผู้ลงนามคนละรายกัน",
        "lo": "ບັນທຶກຜົນທີ່ຝັງຢູ່ລະບຸຜູ້ລົງນາມຕ່າງກັນ.",
    },
    "record_readable.issuer_mismatch": {
        "en": "The embedded record names an issuing agency other than the one "
        "in the signing certificate.",
        "th": "บันทึกผลที่ฝังอยู่ระบุหน่วยงานผู้ออกเอกสารไม่ตรงกับหน่วยงานในใบรับรองที่ใช้ลงนาม",
        "lo": "ບັນທຶກຜົນທີ່ຝັງຢູ່ລະບຸອົງການຜູ້ອອກເອກະສານບໍ່ກົງກັບອົງການໃນໃບຢັ້ງຢືນທີ່ໃຊ້ລົງນາມ.",
    },
    "not_revoked.pass": {
        "en": "Not revoked or superseded, according to the lists imported here.",
        "th": "ไม่ถูกเพิกถอนหรือถูกแทนที่ ตามรายการที่นำเข้าไว้",
        "lo": "ບໍ່ຖືກຖອນ ຫຼື ຖືກແທນທີ່ ຕາມລາຍການທີ່ນຳເຂົ້າໄວ້.",
    },
    "not_revoked.revoked": {
        "en": "The issuer has revoked this document.",
        "th": "ผู้ออกเอกสารได้เพิกถอนเอกสารนี้แล้ว",
        "lo": "ຜູ້ອອກເອກະສານໄດ້ຖອນເອກະສານນີ້ແລ້ວ.",
    },
    "not_revoked.superseded": {
        "en": "The issuer has replaced this document with a newer one.",
        "th": "ผู้ออกเอกสารได้ออกเอกสารฉบับใหม่แทนฉบับนี้แล้ว",
        "lo": "ຜູ້ອອກເອກະສານໄດ້ອອກເອກະສານສະບັບໃໝ່ແທນສະບັບນີ້ແລ້ວ.",
    },
    "standard_known.pass": {
        "en": "Scored with a standard version known here.",
        "th": "ประเมินด้วยมาตรฐานฉบับที่ระบบนี้รู้จัก",
        "lo": "ປະເມີນດ້ວຍມາດຕະຖານສະບັບທີ່ລະບົບນີ້ຮູ້ຈັກ.",
    },
    "standard_known.unknown": {
        "en": "The standard version of this document is not known here.",
        "th": "ระบบนี้ไม่รู้จักมาตรฐานฉบับที่ใช้ในเอกสารนี้",
        "lo": "ລະບົບນີ້ບໍ່ຮູ້ຈັກມາດຕະຖານສະບັບທີ່ໃຊ້ໃນເອກະສານນີ້.",
    },
    "band_recomputed.pass": {
        "en": "The result recomputes to the same band.",
        "th": "คำนวณผลใหม่แล้วได้ระดับเดียวกัน",
        "lo": "ຄິດໄລ່ຜົນຄືນໃໝ່ແລ້ວໄດ້ລະດັບດຽວກັນ.",
    },
    "band_recomputed.mismatch": {
        "en": "Recomputing the result gives a different outcome.",
        "th": "คำนวณผลใหม่แล้วได้ผลต่างกัน",
        "lo": "ຄິດໄລ່ຜົນຄືນໃໝ່ແລ້ວໄດ້ຜົນຕ່າງກັນ.",
    },
    "qr_token.pass": {
        "en": "The QR token is signed by the issuer and matches the record.",
        "th": "โทเคนในคิวอาร์โค้ดลงนามโดยผู้ออกเอกสารและตรงกับบันทึกผล",
        "lo": "ໂທເຄັນໃນຄິວອາໂຄດລົງນາມໂດຍຜູ້ອອກເອກະສານ ແລະ ກົງກັບບັນທຶກຜົນ.",
    },
    "qr_token.fail": {
        "en": "The QR token is missing, forged or does not match the record.",
        "th": "โทเคนในคิวอาร์โค้ดหายไป ถูกปลอม หรือไม่ตรงกับบันทึกผล",
        "lo": "ໂທເຄັນໃນຄິວອາໂຄດຫາຍໄປ, ຖືກປອມ ຫຼື ບໍ່ກົງກັບບັນທຶກຜົນ.",
    },
    "token_readable.pass": {
        "en": "The QR token could be read.",
        "th": "อ่านโทเคนในคิวอาร์โค้ดได้",
        "lo": "ອ່ານໂທເຄັນໃນຄິວອາໂຄດໄດ້.",
    },
    "token_readable.fail": {
        "en": "This is not a readable screening QR token.",
        "th": "นี่ไม่ใช่โทเคนคิวอาร์โค้ดของผลการคัดกรองที่อ่านได้",
        "lo": "ນີ້ບໍ່ແມ່ນໂທເຄັນຄິວອາໂຄດຂອງຜົນການຄັດກອງທີ່ອ່ານໄດ້.",
    },
    "token_signature.pass": {
        "en": "The QR token is signed by a trusted agency.",
        "th": "โทเคนในคิวอาร์โค้ดลงนามโดยหน่วยงานที่เชื่อถือได้",
        "lo": "ໂທເຄັນໃນຄິວອາໂຄດລົງນາມໂດຍອົງການທີ່ເຊື່ອຖືໄດ້.",
    },
    "token_signature.fail": {
        "en": "The QR token's signature does not hold for any trusted agency.",
        "th": "ลายมือชื่อของโทเคนไม่ตรงกับหน่วยงานที่เชื่อถือใด ๆ",
        "lo": "ລາຍເຊັນຂອງໂທເຄັນບໍ່ກົງກັບອົງການທີ່ເຊື່ອຖືໃດໆ.",
    },
    "skipped": {
        "en": "Not checked, because an earlier check failed.",
        "th": "ไม่ได้ตรวจสอบ เนื่องจากการตรวจสอบก่อนหน้าไม่ผ่าน",
        "lo": "ບໍ່ໄດ້ກວດສອບ ເນື່ອງຈາກການກວດສອບກ່ອນໜ້າບໍ່ຜ່ານ.",
    },
}


def verdict(code: str) -> dict[str, str]:
    """A verification message in every wording language."""
    entry = VERDICTS[code]
    return {language: entry[language] for language in WORDING_LANGUAGES}
