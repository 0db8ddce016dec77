//! Scanned contract files (G2): a PDF uploaded from the partner page comes back byte for byte
//! with its type as an attachment (audited); a program renamed `.pdf` and a file over 10 MB are
//! refused in words with nothing stored; who may not see partners may not download.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use super::{active_partner, count, manager};
use crate::both;
use crate::support::{Browser, spawn_app};

/// Posts the upload form of partner `id`; (status, body).
async fn upload(
    b: &Browser,
    id: i64,
    contract: &str,
    name: &str,
    data: Vec<u8>,
) -> (StatusCode, String) {
    let csrf = b.get(&format!("/partners/{id}")).await.csrf();
    let form = Form::new()
        .text("_csrf", csrf)
        .text("contract_no", contract.to_string())
        .part("file", Part::bytes(data).file_name(name.to_string()));
    let res = b
        .client
        .post(format!("{}/partners/{id}/files", b.base))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

fn pdf() -> Vec<u8> {
    let mut data = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    data.extend((0..5000u32).map(|i| u8::try_from(i % 251).unwrap_or(0)));
    data.extend_from_slice(b"\n%%EOF\n");
    data
}

both!(
    a_scanned_contract_is_kept_and_downloaded_byte_for_byte,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "scan_mgr").await;
        let id = active_partner(
            &b,
            "金鼎酒楼",
            "TY-9",
            "2026-09-06",
            "2027-09-05",
            "凭卡九折",
        )
        .await;
        let data = pdf();
        let (status, body) = upload(&b, id, "TY-9", "特约合同 TY-9.pdf", data.clone()).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let page = b.get(&format!("/partners/{id}")).await;
        assert!(page.body.contains("特约合同 TY-9.pdf"), "{}", page.body);
        let file = count(&t, "select id from partner_files where partner_id = $1", id).await;
        let res = b
            .client
            .get(format!("{}/partners/files/{file}", b.base))
            .send()
            .await
            .expect("download");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap_or("")
            .to_string();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(disposition.contains("TY-9.pdf"), "{disposition}");
        let back = res.bytes().await.expect("bytes");
        assert_eq!(back.as_ref(), data.as_slice(), "byte for byte");
        for action in ["partners.file_added", "partners.file_downloaded"] {
            assert_eq!(
                t.scalar_text(
                    "select cast(count(*) as bigint) from audit_log where action = $1",
                    action
                )
                .await,
                1,
                "{action}"
            );
        }
        // A clerk sees partners and may download, but may not upload; a cashier may not
        // download.
        t.add_staff("scan_clerk", &[("clerk", t.hq)], false).await;
        let clerk = t.login("scan_clerk").await;
        let (status, _) = upload(&clerk, id, "TY-9", "b.pdf", pdf()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        t.add_staff("scan_cashier", &[("cashier", t.hq)], false)
            .await;
        let cashier = t.login("scan_cashier").await;
        let res = cashier
            .client
            .get(format!("{}/partners/files/{file}", cashier.base))
            .send()
            .await
            .expect("download");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        t.stop().await;
    }
);

both!(
    a_renamed_program_and_a_file_over_10_mb_are_refused_and_nothing_is_stored,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "scan_mgr2").await;
        let id = active_partner(
            &b,
            "四海旅行社",
            "TY-7",
            "2026-09-06",
            "2027-09-05",
            "线路立减",
        )
        .await;
        let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
        exe.extend(std::iter::repeat_n(0u8, 2000));
        let (status, body) = upload(&b, id, "TY-7", "contract.pdf", exe).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("只能上传 PDF、JPEG 或 PNG 文件"), "{body}");
        let mut big = pdf();
        big.resize(10 * 1024 * 1024 + 1, b'x');
        let (status, body) = upload(&b, id, "TY-7", "big.pdf", big).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("文件超过 10 MB"), "{body}");
        assert_eq!(
            count(
                &t,
                "select cast(count(*) as bigint) from partner_files where partner_id = $1",
                id
            )
            .await,
            0
        );
        t.stop().await;
    }
);
