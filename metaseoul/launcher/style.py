"""Looks for the launcher and kiosk: the normal theme, high contrast and large text.

Focus is always drawn as a thick outline, and every control is at least 44 px tall: bigger than
the 24 × 24 px minimum, for fingers on kiosk screens and for unsteady hands. Check boxes, radio
buttons and the highlighted item of a list or drop-down are drawn in the theme's own colours, so
they show in high contrast too (the platform's grey-on-grey would vanish on black).
"""

from __future__ import annotations

NORMAL = {"bg": "#F4F1EA", "panel": "#FFFFFF", "text": "#1B1B1F", "muted": "#55575C", "accent": "#1F5FAF",
          "accent_text": "#FFFFFF", "focus": "#D2462D", "border": "#C9C5BC"}
HIGH_CONTRAST = {"bg": "#000000", "panel": "#000000", "text": "#FFFFFF", "muted": "#FFFFFF", "accent": "#FFD400",
                 "accent_text": "#000000", "focus": "#00E5FF", "border": "#FFFFFF"}


CJK_FAMILY = "Droid Sans Fallback"  # Debian's fonts-droid-fallback; NanumSquare lacks Chinese and kana


def family_for(language: str) -> str:
    return CJK_FAMILY if language in ("zh", "ja") else "NanumSquare"


def stylesheet(high_contrast: bool = False, large_text: bool = False, scale: float = 1.0,
               family: str = "NanumSquare") -> str:
    c = HIGH_CONTRAST if high_contrast else NORMAL
    size = round((20 if large_text else 15) * scale)
    return f"""
    QWidget {{ background: {c['bg']}; color: {c['text']}; font-family: "{family}"; font-size: {size}px; }}
    QFrame#panel, QListWidget {{ background: {c['panel']}; border: 1px solid {c['border']}; border-radius: 8px; }}
    QLabel#title {{ font-size: {round(size * 1.8)}px; font-weight: bold; }}
    QLabel#muted {{ color: {c['muted']}; }}
    QLabel#error {{ color: {c['focus']}; font-weight: bold; }}
    QPushButton, QComboBox, QLineEdit {{ min-height: {round(44 * scale)}px; min-width: 44px; padding: 4px 14px;
        border: 2px solid {c['border']}; border-radius: 6px; background: {c['panel']}; }}
    QPushButton#primary {{ background: {c['accent']}; color: {c['accent_text']}; border-color: {c['accent']};
        font-weight: bold; }}
    QPushButton:checked {{ background: {c['accent']}; color: {c['accent_text']}; border-color: {c['text']}; }}
    QCheckBox, QRadioButton {{ min-height: 44px; }}
    QCheckBox::indicator, QRadioButton::indicator {{ width: 20px; height: 20px; border: 2px solid {c['text']};
        background: {c['panel']}; }}
    QCheckBox::indicator {{ border-radius: 4px; }}
    QRadioButton::indicator {{ border-radius: 12px; }}
    QCheckBox::indicator:checked, QRadioButton::indicator:checked {{ background: {c['accent']};
        }}
    QAbstractItemView {{ selection-background-color: {c['accent']}; selection-color: {c['accent_text']}; }}
    QListWidget::item, QComboBox QAbstractItemView::item {{ padding: 6px; min-height: 32px; }}
    QListWidget::item:selected, QComboBox QAbstractItemView::item:selected {{ background: {c['accent']};
        color: {c['accent_text']}; }}
    *:focus, QPushButton#primary:focus {{ outline: none; border: 4px solid {c['focus']}; }}
    QPushButton:focus, QComboBox:focus, QLineEdit:focus {{ padding: 2px 12px; }}
    QProgressBar {{ min-height: 24px; border: 2px solid {c['border']}; border-radius: 6px; text-align: center; }}
    QProgressBar::chunk {{ background: {c['accent']}; }}
    """
