/**
 * Word lists for the synthetic customers, most common first: the generator draws from them with a
 * Zipf-like skew, as in a real customer file (many Marias and Smiths, a long tail of rare names).
 * Spellings include accents, umlauts, apostrophes and hyphens on purpose.
 */
export const FIRST_NAMES = [
  'James', 'Mary', 'Michael', 'Jennifer', 'John', 'Linda', 'Robert', 'Patricia', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Christopher', 'Karen',
  'Charles', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Sandra', 'Anthony', 'Ashley', 'Mark', 'Emily',
  'Donald', 'Michelle', 'Steven', 'Amanda', 'Andrew', 'Melissa', 'Paul', 'Deborah', 'Joshua', 'Stephanie',
  'Kenneth', 'Rebecca', 'Kevin', 'Laura', 'Brian', 'Helen', 'George', 'Sharon', 'Timothy', 'Cynthia',
  'José', 'María', 'Juan', 'Sofía', 'Luis', 'Lucía', 'Carlos', 'Ana', 'Jesús', 'Valentina',
  'Zoë', 'Chloé', 'Noémie', 'René', 'André', 'Hélène', 'François', 'Léa', 'Mathéo', 'Éloïse',
  'Jürgen', 'Jörg', 'Björn', 'Søren', 'Åsa', 'Øystein', 'Günther', 'Käthe', 'Anaïs', 'Inés',
  "D'Andre", "D'Angelo", 'Mary-Kate', 'Jean-Luc', 'Anne-Marie', 'Jo Ann', 'Mary Beth', 'Jean-Pierre', "Ja'Nae", 'Le-Anh',
  'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Priya', 'Arjun', 'Fatima', 'Mohammed', 'Aisha', 'Omar',
  'Oliver', 'Amelia', 'Liam', 'Olivia', 'Noah', 'Emma', 'Elijah', 'Charlotte', 'Lucas', 'Harper',
  'Mateo', 'Camila', 'Santiago', 'Ximena', 'Diego', 'Renée', 'Nicolás', 'Martín', 'Ramón', 'Joaquín',
  'Siobhán', 'Seán', 'Niamh', 'Aoife', 'Ciarán', 'Dagný', 'Þór', 'Ælfric', 'Zoé', 'Iñaki',
];

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'García', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Pérez', 'Sánchez', 'Ramírez', 'Gómez',
  "O'Brien", "O'Connor", "O'Neill", "D'Amico", "O'Sullivan", 'McDonald', 'MacDonald', 'McCarthy', 'DeLuca', 'Van der Berg',
  'García-López', 'Smith-Jones', 'Pérez-Reverte', 'Lloyd-Webber', 'Hernández-Ruiz', 'Díaz-Canel', 'Saint-Exupéry', 'Fernández-Vega', 'Ruiz-Tagle', 'Ortega y Gasset',
  'Müller', 'Schröder', 'Jäger', 'Weiß', 'Groß', 'Köhler', 'Böhm', 'Krüger', 'Schäfer', 'Strauß',
  'Søndergaard', 'Ørsted', 'Kjær', 'Æbelø', 'Håkansson', 'Nyström', 'Björklund', 'Løvland', 'Dahl', 'Lindqvist',
  'Nguyen', 'Tran', 'Le', 'Pham', 'Kim', 'Park', 'Chen', 'Wang', 'Li', 'Zhang',
  'Patel', 'Shah', 'Singh', 'Kumar', 'Khan', 'Ali', 'Ahmed', 'Hassan', 'Cohen', 'Levy',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyễn', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Dubois', 'Lefèvre', 'Béranger', 'Château', 'Brontë', 'Citroën', 'Gauß', 'Ødegaard', 'Ibáñez', 'Muñoz',
];

/** Email domains, most common first. */
export const EMAIL_DOMAINS = [
  'gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com', 'icloud.com', 'comcast.net', 'msn.com',
  'live.com', 'att.net', 'verizon.net', 'me.com', 'protonmail.com', 'sbcglobal.net', 'mac.com', 'ymail.com',
  'example.org', 'mail.com', 'gmx.com', 'cox.net', 'charter.net', 'earthlink.net', 'bellsouth.net', 'fastmail.com',
];

/** Cities (copied through unchanged); a few need CSV quoting. */
export const CITIES = [
  'New York', 'Los Angeles', 'Chicago', 'Houston', 'Phoenix', 'Philadelphia', 'San Antonio', 'San Diego', 'Dallas', 'San José',
  'Austin', 'Jacksonville', 'Fort Worth', 'Columbus', 'Charlotte', 'San Francisco', 'Indianapolis', 'Seattle', 'Denver', 'Washington, DC',
  'Boston', 'El Paso', 'Nashville', 'Detroit', 'Oklahoma City', 'Portland', 'Las Vegas', 'Memphis', 'Louisville', 'Baltimore',
  'Milwaukee', 'Albuquerque', 'Tucson', 'Fresno', 'Sacramento', 'Kansas City', 'Mesa', 'Atlanta', 'Omaha', 'Colorado Springs',
  'St. Louis', 'Winston-Salem', "Coeur d'Alene", 'Cañon City', 'Española', 'Anchorage', 'Honolulu', 'Boise', 'Des Moines', 'Burlington',
];

/** US area codes in service: [2-9]XX, so with a [2-9]XX exchange every number is a valid NANP number. */
export const AREA_CODES = [
  201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228,
  229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281, 301, 302,
  303, 304, 305, 307, 308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 323, 325, 330,
  334, 336, 337, 339, 347, 351, 352, 360, 361, 386, 401, 402, 404, 405, 406, 407, 408, 409, 410, 412,
  413, 414, 415, 417, 419, 423, 424, 425, 430, 432, 434, 435, 440, 443, 469, 478, 479, 480, 484, 501,
  502, 503, 504, 505, 507, 508, 509, 510, 512, 513, 515, 516, 517, 518, 520, 530, 540, 541, 551, 559,
  561, 562, 563, 567, 570, 571, 573, 574, 580, 585, 586, 601, 602, 603, 605, 606, 607, 608, 609, 610,
  612, 614, 615, 616, 617, 618, 619, 620, 623, 626, 630, 631, 636, 641, 646, 650, 651, 660, 661, 662,
  678, 682, 701, 702, 703, 704, 706, 707, 708, 712, 713, 714, 715, 716, 717, 718, 719, 720, 724, 727,
  731, 732, 734, 740, 754, 757, 760, 763, 765, 770, 772, 773, 774, 775, 781, 785, 786, 801, 802, 803,
  804, 805, 806, 808, 810, 812, 813, 814, 815, 816, 817, 818, 828, 830, 831, 832, 843, 845, 847, 848,
  850, 856, 857, 858, 859, 860, 862, 863, 864, 865, 870, 901, 903, 904, 906, 907, 908, 909, 910, 912,
  913, 914, 915, 916, 917, 918, 919, 920, 925, 928, 931, 936, 937, 940, 941, 947, 949, 951, 952, 954,
  956, 970, 971, 972, 973, 978, 979, 980, 985, 989,
];

/** Values that are not email addresses (our rules reject them; plain SQL hashes them as they are). */
export const INVALID_EMAILS = ['n/a', 'none', 'unknown', 'john.smith(at)gmail.com', 'noemail', 'refused', 'jsmith@', '@gmail.com', 'test at test dot com', '-'];

/** Values that are not phone numbers for US (our rules reject them; plain SQL hashes whatever digits remain). */
export const INVALID_PHONES = ['N/A', 'unknown', '555-0199', '415-555-012', '(415) 555-01234', 'none', '0', '999', 'refused', 'ext. 204'];
