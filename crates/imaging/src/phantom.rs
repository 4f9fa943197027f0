//! Write synthetic CT slices as real DICOM files (explicit VR little endian, signed 16-bit pixels):
//! the phantoms of the tests and of `simulate denosumab-pilot --dicom`.

use std::path::Path;

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject, Tag};

/// CT Image Storage SOP class.
pub(crate) const CT_IMAGE_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.2";
/// Explicit VR little endian.
pub(crate) const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";
/// Axial orientation (rows along +x, columns along +y).
pub(crate) const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// One slice to write; `None` leaves an attribute out (to test refusals).
#[derive(Debug, Clone, PartialEq)]
pub struct SliceSpec {
    /// PatientID.
    pub patient_id: String,
    /// StudyInstanceUID.
    pub study_uid: String,
    /// StudyDate (YYYYMMDD).
    pub study_date: String,
    /// SeriesInstanceUID.
    pub series_uid: String,
    /// SOPInstanceUID.
    pub sop_uid: String,
    /// Modality.
    pub modality: String,
    /// ImageType values.
    pub image_type: Vec<String>,
    /// Transfer syntax UID written in the file meta group.
    pub transfer_syntax: String,
    /// KVP.
    pub kvp: Option<f64>,
    /// ImagePositionPatient.
    pub position: Option<[f64; 3]>,
    /// ImageOrientationPatient.
    pub orientation: Option<[f64; 6]>,
    /// PixelSpacing (between rows, between columns).
    pub pixel_spacing: Option<[f64; 2]>,
    /// SliceThickness.
    pub thickness: Option<f64>,
    /// RescaleSlope and RescaleIntercept.
    pub rescale: Option<(f64, f64)>,
    /// InstanceNumber.
    pub instance: i64,
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Stored values, row-major.
    pub stored: Vec<i16>,
}

impl SliceSpec {
    /// An axial CT slice at height `z` (mm) with the given stored values and the usual rescale (1, −1024).
    pub fn axial(rows: usize, cols: usize, z: f64, stored: Vec<i16>) -> Self {
        SliceSpec {
            patient_id: "PHANTOM".into(),
            study_uid: "2.25.1".into(),
            study_date: "20240101".into(),
            series_uid: "2.25.2".into(),
            sop_uid: format!("2.25.3{}", (z * 1000.0).round().abs() as i64),
            modality: "CT".into(),
            image_type: vec!["ORIGINAL".into(), "PRIMARY".into(), "AXIAL".into()],
            transfer_syntax: EXPLICIT_VR_LE.into(),
            kvp: Some(120.0),
            position: Some([0.0, 0.0, z]),
            orientation: Some(AXIAL),
            pixel_spacing: Some([0.5, 0.5]),
            thickness: Some(3.0),
            rescale: Some((1.0, -1024.0)),
            instance: 1,
            rows,
            cols,
            stored,
        }
    }

    /// Stored values for HU values under this slice's rescale (rounded, clamped to 16 bits).
    pub fn stored_for(hu: &[f64], rescale: (f64, f64)) -> Vec<i16> {
        hu.iter()
            .map(|h| {
                ((h - rescale.1) / rescale.0)
                    .round()
                    .clamp(-32768.0, 32767.0) as i16
            })
            .collect()
    }
}

/// A decimal string (DS) value: at most 16 characters.
fn ds(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| {
            let s = format!("{v}");
            if s.len() <= 16 {
                s
            } else {
                format!("{v:.6}")
            }
        })
        .collect::<Vec<_>>()
        .join("\\")
}

/// Write one slice as a DICOM Part 10 file.
pub fn write_slice(path: &Path, s: &SliceSpec) -> crate::Result<()> {
    let mut obj = InMemDicomObject::new_empty();
    let mut text = |tag: Tag, vr: VR, v: String| {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(v)));
    };
    text(tags::SOP_CLASS_UID, VR::UI, CT_IMAGE_STORAGE.into());
    text(tags::SOP_INSTANCE_UID, VR::UI, s.sop_uid.clone());
    text(tags::STUDY_DATE, VR::DA, s.study_date.clone());
    text(tags::MODALITY, VR::CS, s.modality.clone());
    text(tags::IMAGE_TYPE, VR::CS, s.image_type.join("\\"));
    text(tags::PATIENT_ID, VR::LO, s.patient_id.clone());
    text(tags::STUDY_INSTANCE_UID, VR::UI, s.study_uid.clone());
    text(tags::SERIES_INSTANCE_UID, VR::UI, s.series_uid.clone());
    text(tags::SERIES_DESCRIPTION, VR::LO, "calcscore phantom".into());
    text(tags::INSTANCE_NUMBER, VR::IS, s.instance.to_string());
    text(
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        "MONOCHROME2".into(),
    );
    let optional: [(Tag, Option<Vec<f64>>); 7] = [
        (tags::KVP, s.kvp.map(|v| vec![v])),
        (tags::SLICE_THICKNESS, s.thickness.map(|v| vec![v])),
        (tags::IMAGE_POSITION_PATIENT, s.position.map(|v| v.to_vec())),
        (
            tags::IMAGE_ORIENTATION_PATIENT,
            s.orientation.map(|v| v.to_vec()),
        ),
        (tags::PIXEL_SPACING, s.pixel_spacing.map(|v| v.to_vec())),
        (tags::RESCALE_INTERCEPT, s.rescale.map(|r| vec![r.1])),
        (tags::RESCALE_SLOPE, s.rescale.map(|r| vec![r.0])),
    ];
    for (tag, v) in optional {
        if let Some(v) = v {
            text(tag, VR::DS, ds(&v));
        }
    }
    let us = |v: u16| PrimitiveValue::from(v);
    obj.put(DataElement::new(tags::SAMPLES_PER_PIXEL, VR::US, us(1)));
    obj.put(DataElement::new(tags::ROWS, VR::US, us(s.rows as u16)));
    obj.put(DataElement::new(tags::COLUMNS, VR::US, us(s.cols as u16)));
    obj.put(DataElement::new(tags::BITS_ALLOCATED, VR::US, us(16)));
    obj.put(DataElement::new(tags::BITS_STORED, VR::US, us(16)));
    obj.put(DataElement::new(tags::HIGH_BIT, VR::US, us(15)));
    obj.put(DataElement::new(tags::PIXEL_REPRESENTATION, VR::US, us(1)));
    let bytes: Vec<u8> = s.stored.iter().flat_map(|v| v.to_le_bytes()).collect();
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::from(bytes),
    ));
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(s.transfer_syntax.as_str()))
        .map_err(|e| {
            crate::Error::Usage(format!(
                "cannot build the DICOM header of {}: {e}",
                path.display()
            ))
        })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| crate::Error::io("create directory", dir, e))?;
    }
    file.write_to_file(path)
        .map_err(|e| crate::Error::io("write", path, std::io::Error::other(e.to_string())))
}
