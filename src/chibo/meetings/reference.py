"""The rules of cell meetings and votes (how often, how long, quorum and majorities), each row
as chibo.core.seed writes it on a new database. The single place this data lives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chibo.core.reference import QD294, SINCE

RULES: list[dict[str, Any]] = [
    {
        "key": "meeting_combined_min_minutes",
        "name": "Thời lượng tối thiểu khi kết hợp chuyên đề",
        "value": 120,
        "unit": "minutes",
        "citation": "Chỉ thị 50-CT/TW (23/7/2025); Hướng dẫn 42-HD/BTCTW (2025)",
        "effective_from": dt.date(2025, 7, 23),
        "effective_to": None,
        "confirmed": True,
        "note": "Sinh hoạt thường kỳ kết hợp chuyên đề trong cùng buổi: ít nhất 120 phút.",
    },
    {
        "key": "meeting_committee_every_months",
        "name": "Chi ủy họp thường kỳ",
        "value": 1,
        "unit": "months",
        "citation": "Điều lệ Đảng (2011), Điều 24",
        "effective_from": SINCE,
        "effective_to": None,
        "confirmed": True,
        "note": "Chi ủy (nơi chi bộ có chi ủy) họp thường lệ mỗi tháng một lần.",
    },
    {
        "key": "meeting_materials_lead_days",
        "name": "Đăng tài liệu sinh hoạt trước",
        "value": 1,
        "unit": "days",
        "citation": "Hướng dẫn 42-HD/BTCTW (28/10/2025)",
        "effective_from": dt.date(2025, 10, 28),
        "effective_to": None,
        "confirmed": True,
        "note": "Tài liệu sinh hoạt chi bộ được đăng tải ít nhất 1 ngày trước buổi sinh hoạt.",
    },
    {
        "key": "meeting_min_minutes",
        "name": "Thời lượng tối thiểu một buổi sinh hoạt",
        "value": 90,
        "unit": "minutes",
        "citation": "Chỉ thị 50-CT/TW (23/7/2025); Hướng dẫn 42-HD/BTCTW (2025)",
        "effective_from": dt.date(2025, 7, 23),
        "effective_to": None,
        "confirmed": True,
        "note": "Ít nhất 90 phút.",
    },
    {
        "key": "meeting_quorum_more_than_pct",
        "name": "Số đảng viên có mặt để buổi sinh hoạt hợp lệ",
        "value": 50,
        "unit": "percent",
        "citation": "Thông lệ sinh hoạt đảng (quá nửa số đảng viên được triệu tập)",
        "effective_from": SINCE,
        "effective_to": None,
        "confirmed": False,
        "note": ("Hợp lệ khi có mặt quá nửa số đảng viên được triệu tập (không tính đảng viên "
                 "được miễn sinh hoạt). Chưa xác nhận được văn bản quy định."),
    },
    {
        "key": "meeting_regular_every_months",
        "name": "Chi bộ sinh hoạt thường kỳ",
        "value": 1,
        "unit": "months",
        "citation": "Điều lệ Đảng (2011), Điều 24",
        "effective_from": SINCE,
        "effective_to": None,
        "confirmed": True,
        "note": "Chi bộ họp thường lệ mỗi tháng một lần.",
    },
    {
        "key": "meeting_thematic_every_months",
        "name": "Sinh hoạt chuyên đề",
        "value": 3,
        "unit": "months",
        "citation": "Hướng dẫn 12-HD/BTCTW (2018), mục II.2.2",
        "effective_from": SINCE,
        "effective_to": None,
        "confirmed": False,
        "note": ("Ít nhất mỗi quý một lần. Tần suất theo Hướng dẫn 42-HD/BTCTW (2025) chưa được "
                 "xác nhận; cấp ủy có thể đặt khác."),
    },
    {
        "key": "vote_general_more_than_pct",
        "name": "Biểu quyết nghị quyết của chi bộ (quá nửa)",
        "value": 50,
        "unit": "percent",
        "citation": "Điều lệ Đảng (2011), Điều 10; Quy định 24-QĐ/TW (2021), điểm 9.3.2",
        "effective_from": SINCE,
        "effective_to": QD294,
        "confirmed": True,
        "note": ("Nghị quyết của chi bộ chỉ có giá trị khi quá nửa số đảng viên chính thức được "
                 "triệu tập tán thành. Không tính đảng viên sinh hoạt tạm thời ở đảng bộ khác; "
                 "đảng viên miễn công tác và sinh hoạt đảng không có mặt (có mặt, tham gia biểu "
                 "quyết thì vẫn tính); đảng viên bị đình chỉ sinh hoạt, bị khởi tố, truy tố, tạm"
                 " giam; đảng viên vắng mặt có lý do được cấp ủy đồng ý."),
    },
    {
        "key": "vote_general_more_than_pct",
        "name": "Biểu quyết nghị quyết của chi bộ (quá nửa)",
        "value": 50,
        "unit": "percent",
        "citation": "Điều lệ Đảng (2011), Điều 10; Quy định 294-QĐ/TW (26/5/2025)",
        "effective_from": QD294,
        "effective_to": None,
        "confirmed": True,
        "note": ("Nghị quyết của chi bộ chỉ có giá trị khi quá nửa số đảng viên chính thức được "
                 "triệu tập tán thành. Không tính đảng viên sinh hoạt tạm thời ở đảng bộ khác; "
                 "đảng viên miễn công tác và sinh hoạt đảng không có mặt (có mặt, tham gia biểu "
                 "quyết thì vẫn tính); đảng viên bị đình chỉ sinh hoạt, bị khởi tố, truy tố, tạm"
                 " giam; đảng viên vắng mặt có lý do được cấp ủy đồng ý. Như Quy định 24-QĐ/TW, "
                 "điểm 9.3.2 (đã đối chiếu); số điểm trong Quy định 294 chưa đối chiếu."),
    },
    {
        "key": "vote_removal_denominator",
        "name": "Tỷ lệ biểu quyết xóa tên đảng viên chính thức (mẫu số)",
        "value": 3,
        "unit": "count",
        "citation": "Chưa tìm thấy văn bản quy định (Điều lệ Đảng, Điều 8 không nêu tỷ lệ)",
        "effective_from": SINCE,
        "effective_to": None,
        "confirmed": False,
        "note": ("chibo tạm dùng hai phần ba số đảng viên chính thức được triệu tập, như kết nạp"
                 " và công nhận. Chưa tìm thấy văn bản đặt tỷ lệ này cho việc xóa tên đảng viên "
                 "chính thức; cấp ủy sửa khi có văn bản."),
    },
    {
        "key": "vote_removal_numerator",
        "name": "Tỷ lệ biểu quyết xóa tên đảng viên chính thức (tử số)",
        "value": 2,
        "unit": "count",
        "citation": "Chưa tìm thấy văn bản quy định (Điều lệ Đảng, Điều 8 không nêu tỷ lệ)",
        "effective_from": SINCE,
        "effective_to": None,
        "confirmed": False,
        "note": ("chibo tạm dùng hai phần ba số đảng viên chính thức được triệu tập, như kết nạp"
                 " và công nhận. Chưa tìm thấy văn bản đặt tỷ lệ này cho việc xóa tên đảng viên "
                 "chính thức; cấp ủy sửa khi có văn bản."),
    },
    {
        "key": "vote_special_denominator",
        "name": "Tỷ lệ biểu quyết kết nạp, công nhận đảng viên chính thức (mẫu số)",
        "value": 3,
        "unit": "count",
        "citation": ("Điều lệ Đảng (2011), Điều 4 (kết nạp), Điều 5 (công nhận đảng viên chính "
                     "thức)"),
        "effective_from": SINCE,
        "effective_to": None,
        "confirmed": True,
        "note": ("Ít nhất hai phần ba số đảng viên chính thức được triệu tập tán thành. Cũng áp "
                 "dụng khi chi bộ đề nghị xóa tên đảng viên dự bị không được công nhận."),
    },
    {
        "key": "vote_special_numerator",
        "name": "Tỷ lệ biểu quyết kết nạp, công nhận đảng viên chính thức (tử số)",
        "value": 2,
        "unit": "count",
        "citation": ("Điều lệ Đảng (2011), Điều 4 (kết nạp), Điều 5 (công nhận đảng viên chính "
                     "thức)"),
        "effective_from": SINCE,
        "effective_to": None,
        "confirmed": True,
        "note": ("Ít nhất hai phần ba số đảng viên chính thức được triệu tập tán thành. Cũng áp "
                 "dụng khi chi bộ đề nghị xóa tên đảng viên dự bị không được công nhận."),
    },
]
